package io.daak.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * How the tool reads values from its command line and prints the values it receives: as text
 * ({@code String}, sent as {@code text/plain}) or, with {@code --json}, as JSON ({@code JsonNode}, sent as
 * {@code application/json}). Received values are decoded as whatever their sender sent (the commands
 * subscribe with {@code Object.class}) and printed in the chosen form. Immutable and thread-safe.
 *
 * @param <T> the Java type of the values the tool sends
 */
abstract class Values<T> {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Values are text. */
    static final Values<String> TEXT = new Values<>(String.class) {
        @Override
        String parse(String text) {
            return text;
        }

        @Override
        String render(Object value) {
            if (value instanceof String s) {
                return s;
            }
            if (value instanceof byte[] bytes) {
                return new String(bytes, StandardCharsets.UTF_8);
            }
            if (value instanceof JsonNode node && node.isTextual()) {
                return node.textValue();
            }
            return json(value);
        }

        @Override
        String from(Object received) {
            return render(received);
        }

        @Override
        String upper(String value) {
            return value.toUpperCase(Locale.ROOT);
        }
    };

    /** Values are JSON. */
    static final Values<JsonNode> JSON = new Values<>(JsonNode.class) {
        @Override
        JsonNode parse(String text) {
            try {
                return MAPPER.readTree(text);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(
                        "value '" + text + "' is not JSON (--json): " + e.getOriginalMessage(), e);
            }
        }

        @Override
        String render(Object value) {
            return json(value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : value);
        }

        @Override
        JsonNode from(Object received) {
            return received instanceof byte[] bytes
                    ? TextNode.valueOf(new String(bytes, StandardCharsets.UTF_8))
                    : MAPPER.valueToTree(received);
        }

        @Override
        JsonNode upper(JsonNode value) {
            if (value.isTextual()) {
                return TextNode.valueOf(value.textValue().toUpperCase(Locale.ROOT));
            }
            if (value instanceof ObjectNode object) {
                ObjectNode copy = MAPPER.createObjectNode();
                for (Map.Entry<String, JsonNode> e : object.properties()) {
                    copy.set(e.getKey(), upper(e.getValue()));
                }
                return copy;
            }
            if (value instanceof ArrayNode array) {
                ArrayNode copy = MAPPER.createArrayNode();
                array.forEach(v -> copy.add(upper(v)));
                return copy;
            }
            return value;
        }
    };

    private final Class<T> type;

    private Values(Class<T> type) {
        this.type = type;
    }

    /** The Java type the tool sends, which picks the codec. */
    final Class<T> type() {
        return type;
    }

    /**
     * Reads a value given on the command line.
     *
     * @throws IllegalArgumentException when it is not in this form
     */
    abstract T parse(String text);

    /** Prints a received value on one line. */
    abstract String render(Object value);

    /** Converts a received value into one to send back. */
    abstract T from(Object received);

    /** The value with its text upper-cased (every string of a JSON value). */
    abstract T upper(T value);

    private static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }
}
