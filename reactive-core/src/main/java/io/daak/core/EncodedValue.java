package io.daak.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * A value held in encoded form, when the engine encodes in process: the bytes are copied out of the
 * pooled buffer at once, so nothing reference-counted is retained.
 *
 * @param bytes the encoded bytes
 * @param codec the codec that made them
 * @param type the declared type of the value
 */
record EncodedValue(byte[] bytes, Codec codec, Class<?> type) implements RawValue {

    @Override
    public String mimeType() {
        return codec.mimeType();
    }

    @Override
    public String javaType() {
        return type.getName();
    }

    /** Encodes {@code value} with the descriptor's codec; fails naming {@code what} when there is none. */
    static <T> EncodedValue encode(
            String what,
            T value,
            Class<T> type,
            @org.jspecify.annotations.Nullable Codec codec,
            ByteBufAllocator allocator) {
        if (codec == null) {
            throw new IllegalArgumentException(what + " has no codec, and this engine encodes in process "
                    + "(LocalOptions.encodeInProcess); give the descriptor one with withCodec(...)");
        }
        ByteBuf buf;
        try {
            buf = codec.encode(value, type, allocator);
        } catch (CodecException e) {
            throw new CodecException(what + ": cannot encode with " + codec.mimeType() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new CodecException(what + ": cannot encode with " + codec.mimeType() + ": " + e, e);
        }
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), bytes);
            return new EncodedValue(bytes, codec, type);
        } finally {
            buf.release();
        }
    }

    /** Decodes a fresh copy; fails naming {@code what} and the MIME type. */
    <T> T decode(String what, Class<T> type) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            T v = codec.decode(buf, type);
            if (v == null) {
                throw new CodecException(what + ": " + codec.mimeType() + " decoded null for " + type.getName());
            }
            return v;
        } catch (CodecException e) {
            throw new CodecException(what + ": cannot decode " + codec.mimeType() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new CodecException(what + ": cannot decode " + codec.mimeType() + ": " + e, e);
        } finally {
            buf.release();
        }
    }

    /** The value as stored: itself when not encoded, else decoded for the given type. */
    static <T> T open(String what, Object stored, Class<T> type) {
        if (stored instanceof EncodedValue ev) {
            // Decode as the type it was sent as; a receiver of a supertype (Object) gets that value.
            Class<?> as = type.isAssignableFrom(ev.type()) ? ev.type() : type;
            return type.cast(ev.decode(what, as));
        }
        return type.cast(stored);
    }
}
