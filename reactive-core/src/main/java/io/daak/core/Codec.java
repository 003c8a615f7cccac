package io.daak.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Turns values into bytes and back for one data format, named by its MIME type.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #encode} MUST return a new buffer allocated from the given allocator; the caller owns it
 *       and releases it.
 *   <li>{@link #decode} borrows its input: it MUST NOT release it and MUST NOT change its reader index
 *       as seen by the caller after it returns. A value that keeps referring to the bytes (zero-copy
 *       formats) MUST hold its own {@code retain}ed slice and say so in the codec's javadoc.
 *   <li>Malformed, truncated or foreign bytes MUST end in a {@link CodecException}, never a wrong
 *       value and never another runtime exception.
 *   <li>Implementations MUST be thread-safe: one codec instance serves every topic that uses it.
 * </ul>
 *
 * <p>The in-process engine passes values by reference and calls codecs only when asked to encode in
 * process ({@link LocalOptions#encodeInProcess(boolean)}); transports always encode.
 */
public interface Codec {

    /**
     * The MIME type of the encoded form, e.g. {@code application/json}.
     *
     * @return the MIME type
     */
    String mimeType();

    /**
     * Whether this codec can encode and decode values of the given type.
     *
     * @param type a Java type
     * @return true when supported
     */
    boolean supports(Class<?> type);

    /**
     * Encodes a value.
     *
     * @param value the value
     * @param type its declared type
     * @param allocator where to allocate the result
     * @param <T> the value type
     * @return a new buffer owned by the caller
     * @throws CodecException when the value cannot be encoded
     */
    <T> ByteBuf encode(T value, Class<T> type, ByteBufAllocator allocator);

    /**
     * Decodes a value from the readable bytes of {@code data}, which stays owned by the caller.
     *
     * @param data the encoded bytes, lent for the duration of the call
     * @param type the expected type
     * @param <T> the value type
     * @return the value
     * @throws CodecException when the bytes are not a valid encoding of {@code type}
     */
    <T> T decode(ByteBuf data, Class<T> type);

    /**
     * UTF-8 text ({@code text/plain; charset=utf-8}) for {@link String} values.
     *
     * @return the shared UTF-8 codec
     */
    static Codec utf8() {
        return BuiltInCodec.UTF8;
    }

    /**
     * Raw bytes ({@code application/octet-stream}) for {@code byte[]} values.
     *
     * @return the shared raw-bytes codec
     */
    static Codec bytes() {
        return BuiltInCodec.BYTES;
    }
}

/** The codecs that need nothing but the JDK. Thread-safe: stateless. */
enum BuiltInCodec implements Codec {
    UTF8("text/plain; charset=utf-8", String.class) {
        @Override
        Object read(ByteBuf data) {
            return data.toString(data.readerIndex(), data.readableBytes(), StandardCharsets.UTF_8);
        }

        @Override
        ByteBuf write(Object value, ByteBufAllocator allocator) {
            String s = (String) value;
            ByteBuf buf = allocator.buffer(s.length());
            buf.writeCharSequence(s, StandardCharsets.UTF_8);
            return buf;
        }
    },
    BYTES("application/octet-stream", byte[].class) {
        @Override
        Object read(ByteBuf data) {
            byte[] out = new byte[data.readableBytes()];
            data.getBytes(data.readerIndex(), out);
            return out;
        }

        @Override
        ByteBuf write(Object value, ByteBufAllocator allocator) {
            byte[] b = (byte[]) value;
            return allocator.buffer(b.length).writeBytes(b);
        }
    };

    private final String mimeType;
    private final Class<?> javaType;

    BuiltInCodec(String mimeType, Class<?> javaType) {
        this.mimeType = mimeType;
        this.javaType = javaType;
    }

    abstract Object read(ByteBuf data);

    abstract ByteBuf write(Object value, ByteBufAllocator allocator);

    @Override
    public String mimeType() {
        return mimeType;
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == javaType;
    }

    @Override
    public <T> ByteBuf encode(T value, Class<T> type, ByteBufAllocator allocator) {
        check(type);
        return write(value, allocator);
    }

    @Override
    public <T> T decode(ByteBuf data, Class<T> type) {
        check(type);
        return type.cast(read(data));
    }

    private void check(Class<?> type) {
        if (type != javaType) {
            throw new CodecException(mimeType + " handles " + javaType.getSimpleName() + " values only, not "
                    + type.getName() + "; choose a codec for that type");
        }
    }
}
