package io.daak.codec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.google.flatbuffers.Table;
import com.google.protobuf.MessageLite;
import io.daak.core.Codec;
import io.daak.core.CodecException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.util.Objects;
import org.capnproto.StructReader;

/**
 * A codec on a Jackson {@link ObjectMapper}: JSON, CBOR, or any Jackson data format. Values go
 * through Jackson's byte-array paths, its fastest, and are copied once into (or out of) the buffer.
 *
 * <p>Thread-safe: {@link ObjectMapper} is, once configured.
 */
abstract class JacksonCodec implements Codec {

    private final String mimeType;
    private final ClassValue<ObjectReader> readers;
    private final ClassValue<ObjectWriter> writers;

    JacksonCodec(ObjectMapper mapper, String mimeType) {
        Objects.requireNonNull(mapper, "mapper");
        this.mimeType = mimeType;
        // Readers and writers are immutable and thread-safe: one per type, made once.
        this.readers = new ClassValue<>() {
            @Override
            protected ObjectReader computeValue(Class<?> type) {
                return mapper.readerFor(type);
            }
        };
        this.writers = new ClassValue<>() {
            @Override
            protected ObjectWriter computeValue(Class<?> type) {
                return mapper.writerFor(type);
            }
        };
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
        byte[] bytes;
        try {
            // Jackson's own byte-array path (with its recycled buffers) is the fastest way through
            // the generator; one copy moves the result into the caller's (pooled) buffer.
            bytes = writers.get(type).writeValueAsBytes(value);
        } catch (IOException | RuntimeException e) {
            throw new CodecException(mimeType + ": cannot encode a " + type.getName() + ": " + reason(e), e);
        }
        return allocator.buffer(bytes.length, bytes.length).writeBytes(bytes);
    }

    @Override
    public <T> T decode(ByteBuf data, Class<T> type) {
        T value;
        try {
            if (data.hasArray()) {
                value = readers.get(type)
                        .readValue(data.array(), data.arrayOffset() + data.readerIndex(), data.readableBytes());
            } else {
                byte[] bytes = new byte[data.readableBytes()];
                data.getBytes(data.readerIndex(), bytes);
                value = readers.get(type).readValue(bytes);
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
