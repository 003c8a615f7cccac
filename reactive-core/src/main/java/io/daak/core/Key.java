package io.daak.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A key of the key/value store: a {@code /}-separated name, the Java type of its values and optionally
 * the codec that encodes them on the wire.
 *
 * <pre>{@code
 * Key<String> mode = Key.of("robots/r1/mode", String.class);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the value type
 */
public final class Key<T> {

    private final String name;
    private final Class<T> type;
    private final @Nullable Codec codec;

    private Key(String name, Class<T> type, @Nullable Codec codec) {
        this.name = name;
        this.type = type;
        this.codec = codec;
    }

    /**
     * A key without a fixed codec.
     *
     * @param name the name, e.g. {@code robots/r1/mode}; no wildcards, no empty segments
     * @param type the Java type of its values
     * @param <T> the value type
     * @return the key
     * @throws IllegalArgumentException when the name is null, blank or malformed, or the type is null
     */
    public static <T> Key<T> of(String name, Class<T> type) {
        Names.checkName("key", name);
        Names.checkType("key", type);
        return new Key<>(name, type, null);
    }

    /**
     * This key with a codec.
     *
     * @param codec the codec for its values
     * @return a new descriptor
     */
    public Key<T> withCodec(Codec codec) {
        Objects.requireNonNull(codec, "codec");
        if (!codec.supports(type)) {
            throw new IllegalArgumentException("codec=" + codec.mimeType() + " does not support type=" + type.getName()
                    + " of key='" + name + "'");
        }
        return new Key<>(name, type, codec);
    }

    /**
     * The name.
     *
     * @return the key name
     */
    public String name() {
        return name;
    }

    /**
     * The value type.
     *
     * @return the Java type of the values
     */
    public Class<T> type() {
        return type;
    }

    /**
     * The codec.
     *
     * @return the codec, or null when the key does not fix one
     */
    public @Nullable Codec codec() {
        return codec;
    }

    /**
     * The selector of exactly this key.
     *
     * @return a selector matching only this name
     */
    public Selector<T> selector() {
        return Selector.of(name, type);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key<?> t && t.name.equals(name) && t.type.equals(type) && Objects.equals(t.codec, codec);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type);
    }

    @Override
    public String toString() {
        return "Key[" + name + ", " + type.getSimpleName() + "]";
    }
}
