package io.daak.rsocket;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.daak.core.Change;
import io.daak.core.Fields;
import io.daak.core.Message;
import io.daak.core.Overflow;
import io.daak.core.Start;
import io.daak.core.SubscribeOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The Daak fields entry of a payload's composite metadata ({@value Wire#FIELDS_MIME}): a flat JSON
 * object with the call's fields on requests and the message's fields on deliveries. Every member is
 * optional; unknown members are ignored so that the contract can grow. See {@code docs/wire.md}.
 *
 * <p>Not thread-safe: one instance per payload.
 */
final class WireFields {

    private static final JsonFactory JSON = new JsonFactory();

    /** Topic, key or queue of a delivered message, change or delivery. */
    @Nullable
    String name;

    /** Per-topic sequence of a message; revision of a change or entry; 0 for none. */
    long seq;

    /** Epoch milliseconds of the timestamp, and the nanoseconds within that millisecond. */
    long tsMillis = Long.MIN_VALUE;

    int tsNanos;

    Map<String, String> headers = Map.of();

    @Nullable
    String sender;

    int priority;

    /** Time-to-live in milliseconds; negative for none. */
    long ttlMillis = -1;

    /** The Java class name of the value when a Java client sent it: lets receivers report a type mismatch. */
    @Nullable
    String type;

    /** Subscription start: new, latest, earliest, seq:N, time:ISO-8601. */
    @Nullable
    String start;

    /** Subscription overflow policy: buffer, dropOldest, dropLatest, error, block; with its capacity. */
    @Nullable
    String overflow;

    int capacity;

    /**
     * On subscribe and watch requests: the node first sends one empty payload of kind
     * {@code subscribed} once the subscription is in place, using one unit of the initial demand.
     */
    boolean confirm;

    /** A change's kind: put or delete; {@code subscribed} on the confirmation of a subscription. */
    @Nullable
    String kind;

    /** A queue delivery's id (for ack/nack) and attempt. */
    long id;

    int attempt;

    /** Queue settings on send and recv. */
    long ackTimeoutMillis = -1;

    int maxDeliveries;

    int queueCapacity;

    @Nullable
    String deadLetter;

    static WireFields of(Fields fields) {
        WireFields w = new WireFields();
        w.headers = fields.headers();
        w.sender = fields.sender();
        w.priority = fields.priority();
        Instant ts = fields.timestamp();
        if (ts != null) {
            w.timestamp(ts);
        }
        Duration ttl = fields.ttl();
        if (ttl != null) {
            w.ttlMillis = Math.max(1, ttl.toMillis());
        }
        return w;
    }

    static WireFields of(SubscribeOptions options) {
        WireFields w = of(options.fields());
        Start start = options.start();
        w.start = switch (start.kind()) {
            case NEW -> null;
            case LATEST -> "latest";
            case EARLIEST -> "earliest";
            case SEQUENCE -> "seq:" + start.sequence();
            case TIME -> "time:" + start.time();
        };
        Overflow overflow = options.overflow();
        if (!overflow.equals(Overflow.defaults())) {
            w.overflow = switch (overflow.policy()) {
                case BUFFER -> "buffer";
                case DROP_OLDEST -> "dropOldest";
                case DROP_LATEST -> "dropLatest";
                case ERROR -> "error";
                case BLOCK -> "block";
            };
            w.capacity = overflow.capacity();
        }
        return w;
    }

    /** The fields of a message as it goes out to a subscriber. */
    static WireFields ofMessage(Message<?> m, @Nullable String type) {
        WireFields w = of(m.fields());
        w.name = m.topic();
        w.seq = m.sequence();
        w.timestamp(m.timestamp());
        w.type = type;
        return w;
    }

    void timestamp(Instant ts) {
        long seconds = ts.getEpochSecond();
        int nanos = ts.getNano();
        tsMillis = Math.addExact(Math.multiplyExact(seconds, 1000L), nanos / 1_000_000);
        tsNanos = nanos % 1_000_000;
    }

    @Nullable
    Instant timestamp() {
        if (tsMillis == Long.MIN_VALUE) {
            return null;
        }
        return Instant.ofEpochMilli(tsMillis).plusNanos(tsNanos);
    }

    Fields toFields() {
        Fields f = Fields.none();
        if (!headers.isEmpty()) {
            f = f.headers(headers);
        }
        if (sender != null) {
            f = f.sender(sender);
        }
        Instant ts = timestamp();
        if (ts != null) {
            f = f.timestamp(ts);
        }
        if (priority != 0) {
            f = f.priority(priority);
        }
        if (ttlMillis > 0) {
            f = f.ttl(Duration.ofMillis(ttlMillis));
        }
        return f;
    }

    SubscribeOptions toSubscribeOptions() {
        SubscribeOptions o = SubscribeOptions.defaults().fields(toFields());
        if (start != null) {
            o = o.start(parseStart(start));
        }
        if (overflow != null) {
            o = o.overflow(parseOverflow(overflow, capacity));
        }
        return o;
    }

    private static Start parseStart(String s) {
        if (s.equals("new")) {
            return Start.newMessages();
        }
        if (s.equals("latest")) {
            return Start.latest();
        }
        if (s.equals("earliest")) {
            return Start.earliest();
        }
        try {
            if (s.startsWith("seq:")) {
                return Start.atSequence(Long.parseLong(s.substring(4)));
            }
            if (s.startsWith("time:")) {
                return Start.atTime(Instant.parse(s.substring(5)));
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("fields.start='" + s + "' is malformed: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(
                "fields.start='" + s + "' is unknown; use new, latest, earliest, seq:<n> or time:<ISO-8601>");
    }

    private static Overflow parseOverflow(String policy, int capacity) {
        int cap = capacity > 0 ? capacity : Overflow.DEFAULT_CAPACITY;
        return switch (policy) {
            case "buffer" -> Overflow.buffer(cap);
            case "dropOldest" -> Overflow.dropOldest(cap);
            case "dropLatest" -> Overflow.dropLatest(cap);
            case "error" -> Overflow.error();
            case "block" -> Overflow.block(cap);
            default ->
                throw new IllegalArgumentException("fields.overflow='" + policy
                        + "' is unknown; use buffer, dropOldest, dropLatest, error or block");
        };
    }

    Change.Kind changeKind() {
        if (kind == null || kind.equals("put")) {
            return Change.Kind.PUT;
        }
        if (kind.equals("delete")) {
            return Change.Kind.DELETE;
        }
        throw new IllegalArgumentException("fields.kind='" + kind + "' is unknown; expected put or delete");
    }

    boolean isEmpty() {
        return name == null
                && seq == 0
                && tsMillis == Long.MIN_VALUE
                && headers.isEmpty()
                && sender == null
                && priority == 0
                && ttlMillis < 0
                && type == null
                && start == null
                && overflow == null
                && kind == null
                && !confirm
                && id == 0
                && ackTimeoutMillis < 0
                && maxDeliveries == 0
                && queueCapacity == 0
                && deadLetter == null;
    }

    /** Writes the JSON object into {@code out}. */
    void write(ByteBuf out) {
        StringBuilder b = new StringBuilder(96);
        b.append('{');
        int at = b.length();
        str(b, at, "name", name);
        num(b, at, "seq", seq, 0);
        if (tsMillis != Long.MIN_VALUE) {
            num(b, at, "ts", tsMillis, Long.MIN_VALUE);
            num(b, at, "tsNanos", tsNanos, 0);
        }
        if (!headers.isEmpty()) {
            sep(b, at);
            b.append("\"headers\":{");
            int hs = b.length();
            headers.forEach((k, v) -> str(b, hs, k, v));
            b.append('}');
        }
        str(b, at, "sender", sender);
        num(b, at, "priority", priority, 0);
        num(b, at, "ttl", ttlMillis, -1);
        str(b, at, "type", type);
        str(b, at, "start", this.start);
        str(b, at, "overflow", overflow);
        num(b, at, "capacity", capacity, 0);
        str(b, at, "kind", kind);
        if (confirm) {
            sep(b, at);
            b.append("\"confirm\":true");
        }
        num(b, at, "id", id, 0);
        num(b, at, "attempt", attempt, 0);
        num(b, at, "ackTimeout", ackTimeoutMillis, -1);
        num(b, at, "maxDeliveries", maxDeliveries, 0);
        num(b, at, "queueCapacity", queueCapacity, 0);
        str(b, at, "deadLetter", deadLetter);
        b.append('}');
        ByteBufUtil.writeUtf8(out, b);
    }

    private static void sep(StringBuilder b, int start) {
        if (b.length() > start) {
            b.append(',');
        }
    }

    private static void num(StringBuilder b, int start, String name, long value, long absent) {
        if (value != absent) {
            sep(b, start);
            b.append('"').append(name).append("\":").append(value);
        }
    }

    private static void str(StringBuilder b, int start, String name, @Nullable String value) {
        if (value != null) {
            sep(b, start);
            quote(b, name);
            b.append(':');
            quote(b, value);
        }
    }

    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /**
     * Reads the JSON object in {@code in} (not consumed, not released).
     *
     * @throws IllegalArgumentException when it is not a JSON object of the documented members
     */
    static WireFields read(ByteBuf in) {
        byte[] bytes;
        int offset;
        int length = in.readableBytes();
        if (in.hasArray()) {
            bytes = in.array();
            offset = in.arrayOffset() + in.readerIndex();
        } else {
            bytes = ByteBufUtil.getBytes(in, in.readerIndex(), length, false);
            offset = 0;
        }
        WireFields w = new WireFields();
        try (JsonParser p = JSON.createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "name" -> w.name = text(p, field);
                    case "seq" -> w.seq = number(p, field);
                    case "ts" -> w.tsMillis = number(p, field);
                    case "tsNanos" -> w.tsNanos = (int) Math.floorMod(number(p, field), 1_000_000L);
                    case "headers" -> w.headers = headers(p);
                    case "sender" -> w.sender = text(p, field);
                    case "priority" -> w.priority = (int) number(p, field);
                    case "ttl" -> w.ttlMillis = number(p, field);
                    case "type" -> w.type = text(p, field);
                    case "start" -> w.start = text(p, field);
                    case "overflow" -> w.overflow = text(p, field);
                    case "capacity" -> w.capacity = (int) number(p, field);
                    case "kind" -> w.kind = text(p, field);
                    case "confirm" -> w.confirm = t == JsonToken.VALUE_TRUE;
                    case "id" -> w.id = number(p, field);
                    case "attempt" -> w.attempt = (int) number(p, field);
                    case "ackTimeout" -> w.ackTimeoutMillis = number(p, field);
                    case "maxDeliveries" -> w.maxDeliveries = (int) number(p, field);
                    case "queueCapacity" -> w.queueCapacity = (int) number(p, field);
                    case "deadLetter" -> w.deadLetter = text(p, field);
                    default -> {
                        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                            p.skipChildren();
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("is not valid JSON: " + e.getMessage(), e);
        }
        return w;
    }

    private static String text(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException("member '" + field + "' must be a string");
        }
        return p.getText();
    }

    private static long number(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new IllegalArgumentException("member '" + field + "' must be an integer");
        }
        return p.getLongValue();
    }

    private static Map<String, String> headers(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("member 'headers' must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            p.nextToken();
            out.put(k, text(p, "headers." + k));
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
        try {
            write(buf);
            b.append(buf.toString(StandardCharsets.UTF_8));
        } finally {
            buf.release();
        }
        return b.toString();
    }
}
