package io.daak.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A value in its encoded form: the bytes, the MIME type of the codec that made them and, when the
 * sender said, the Java class it was encoded from. Tools that carry values without knowing their types
 * (a node, a recorder, a replayer) see them as raw values.
 *
 * <p>A remote client subscribed with {@code RawValue.class} receives every value undecoded, whatever its
 * format; a raw value published through a remote client travels as its bytes with its own MIME type,
 * so receivers decode it as if the original sender had published it.
 *
 * <pre>{@code
 * daak.subscribe(Selector.of("sensors/**", RawValue.class))
 *     .subscribe(m -> out.write(m.topic(), m.value().mimeType(), m.value().bytes()));
 * }</pre>
 *
 * <p>Implementations are immutable; callers MUST NOT modify the array {@link #bytes()} returns.
 */
public interface RawValue extends Sized {

    /**
     * The size of the encoded bytes, which retention by bytes counts.
     *
     * @return {@code bytes().length}
     */
    @Override
    default long sizeInBytes() {
        return bytes().length;
    }

    /**
     * The encoded bytes.
     *
     * @return the bytes, not a copy: do not modify them
     */
    byte[] bytes();

    /**
     * The format of the bytes.
     *
     * @return the MIME type, e.g. {@code application/json}
     */
    String mimeType();

    /**
     * The Java class the value was encoded from, when the sender said.
     *
     * @return the class name, or null
     */
    @Nullable
    String javaType();

    /**
     * A raw value.
     *
     * @param bytes the encoded bytes (kept, not copied)
     * @param mimeType their format
     * @param javaType the Java class they were encoded from, or null
     * @return the raw value
     */
    static RawValue of(byte[] bytes, String mimeType, @Nullable String javaType) {
        Objects.requireNonNull(bytes, "bytes");
        if (mimeType == null || mimeType.isBlank()) {
            throw new IllegalArgumentException("mimeType must not be null or blank");
        }
        return new RawBytes(bytes, mimeType, javaType);
    }
}
