package io.daak.rsocket;

import io.daak.core.RawValue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.jspecify.annotations.Nullable;

/**
 * A value as the node holds it: the bytes a client sent, copied once out of the frame, with the MIME
 * type they are in and the Java type a Java client declared. The node never decodes values; tools on
 * the node see them as {@link RawValue}s. Immutable.
 *
 * @param bytes the encoded value
 * @param mimeType its MIME type
 * @param type the sender's Java class name, or null when the sender did not say
 */
record Encoded(byte[] bytes, String mimeType, @Nullable String type) implements RawValue {

    @Override
    public @Nullable String javaType() {
        return type;
    }

    /** Copies the readable bytes of {@code data} (not consumed, not released). */
    static Encoded copy(ByteBuf data, String mimeType, @Nullable String type) {
        return new Encoded(ByteBufUtil.getBytes(data), mimeType, type);
    }

    /** A buffer over the bytes, without copying; the caller owns it. */
    ByteBuf wrap() {
        return bytes.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
    }

    /** The retention weigher of the node's engine: the encoded size. */
    static long weigh(Object value) {
        return value instanceof Encoded e ? e.bytes.length + 32L : 64L;
    }
}
