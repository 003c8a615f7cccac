package io.daak.codec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.flatbuffers.Table;
import com.google.protobuf.MessageLite;
import io.daak.core.Codec;
import io.daak.core.CodecException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.capnproto.StructReader;

/**
 * A codec on a Jackson {@link ObjectMapper}: JSON, CBOR, or any Jackson data format. Values are
 * written straight into a buffer from the caller's allocator and read straight from the lent buffer
 * (its backing array when it has one), without intermediate copies.
 *
 * <p>Thread-safe: {@link ObjectMapper} is, once configured.
 */
abstract class JacksonCodec implements Codec {

    private final ObjectMapper mapper;
    private final String mimeType;

    JacksonCodec(ObjectMapper mapper, String mimeType) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.mimeType = mimeType;
    }

    @Override
    public String mimeType() {
        return mimeType;
    }

    /**
     * Any object type except the generated types of Protobuf, FlatBuffers and Cap'n Proto, which have
     * their own codecs and no meaningful Jackson mapping.
     */
    @Override
    public boolean supports(Class<?> type) {
        return !type.isPrimitive()
                && !MessageLite.class.isAssignableFrom(type)
                && !Table.class.isAssignableFrom(type)
                && !StructReader.class.isAssignableFrom(type);
    }

    @Override
    public <T> ByteBuf encode(T value, Class<T> type, ByteBufAllocator allocator) {
        ByteBuf buf = allocator.buffer();
        try (OutputStream out = new ByteBufOutputStream(buf)) {
            mapper.writerFor(type).writeValue(out, value);
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw new CodecException(mimeType + ": cannot encode a " + type.getName() + ": " + reason(e), e);
        }
    }

    @Override
    public <T> T decode(ByteBuf data, Class<T> type) {
        T value;
        try {
            if (data.hasArray()) {
                value = mapper.readerFor(type)
                        .readValue(data.array(), data.arrayOffset() + data.readerIndex(), data.readableBytes());
            } else {
                try (InputStream in = new ByteBufInputStream(data.duplicate())) {
                    value = mapper.readerFor(type).readValue(in);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new CodecException(
                    mimeType + ": cannot decode " + data.readableBytes() + " bytes as a " + type.getName() + ": "
                            + reason(e),
                    e);
        }
        if (value == null) {
            throw new CodecException(mimeType + ": the bytes encode null, not a " + type.getName());
        }
        return value;
    }

    /** The first line of Jackson's message, which names the problem and its location. */
    private static String reason(Exception e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + mimeType + "]";
    }
}
