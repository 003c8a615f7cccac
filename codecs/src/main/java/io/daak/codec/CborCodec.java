package io.daak.codec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

/**
 * CBOR ({@code application/cbor}, RFC 8949) through Jackson: the same value model as
 * {@link JsonCodec}, in a compact binary form, so the two transcode into each other without loss.
 *
 * <p>Thread-safe.
 */
public final class CborCodec extends JacksonCodec {

    /** The MIME type: {@code application/cbor}. */
    public static final String MIME_TYPE = "application/cbor";

    /** A CBOR codec with Daak's default mapper; {@link java.util.ServiceLoader} uses this. */
    public CborCodec() {
        this(CBORMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build());
    }

    /**
     * A CBOR codec on your own mapper.
     *
     * @param mapper a configured CBOR mapper; it must not be changed afterwards
     */
    public CborCodec(ObjectMapper mapper) {
        super(mapper, MIME_TYPE);
    }
}
