package io.daak.codec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * JSON ({@code application/json}) through Jackson: records, POJOs, collections, maps and scalars.
 * Trailing bytes after the value are an error.
 *
 * <p>Thread-safe.
 */
public final class JsonCodec extends JacksonCodec {

    /** The MIME type: {@code application/json}. */
    public static final String MIME_TYPE = "application/json";

    /** A JSON codec with Daak's default mapper; {@link java.util.ServiceLoader} uses this. */
    public JsonCodec() {
        this(JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build());
    }

    /**
     * A JSON codec on your own mapper (modules such as {@code jackson-datatype-jsr310}, naming
     * strategies).
     *
     * @param mapper a configured JSON mapper; it must not be changed afterwards
     */
    public JsonCodec(ObjectMapper mapper) {
        super(mapper, MIME_TYPE);
    }
}
