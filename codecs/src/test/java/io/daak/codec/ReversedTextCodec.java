package io.daak.codec;

import io.daak.core.Codec;
import io.daak.core.CodecException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** A custom codec registered through ServiceLoader in the test resources: text written backwards. */
public final class ReversedTextCodec implements Codec {

    /** Its MIME type. */
    public static final String MIME_TYPE = "text/x-reversed";

    @Override
    public String mimeType() {
        return MIME_TYPE;
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == String.class;
    }

    @Override
    public <T> ByteBuf encode(T value, Class<T> type, ByteBufAllocator allocator) {
        ByteBuf buf = allocator.buffer();
        buf.writeCharSequence(new StringBuilder((String) value).reverse(), StandardCharsets.UTF_8);
        return buf;
    }

    @Override
    public <T> T decode(ByteBuf data, Class<T> type) {
        if (type != String.class) {
            throw new CodecException(MIME_TYPE + " decodes String only");
        }
        String s = data.toString(data.readerIndex(), data.readableBytes(), StandardCharsets.UTF_8);
        return type.cast(new StringBuilder(s).reverse().toString());
    }
}
