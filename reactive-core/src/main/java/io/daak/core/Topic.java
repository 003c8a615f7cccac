package io.daak.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A publish/subscribe topic: a {@code /}-separated name, the Java type of its values and optionally
 * the codec that encodes them on the wire.
 *
 * <pre>{@code
 * Topic<Double> temp = Topic.of("sensors/kitchen/temp", Double.class);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the value type
 */
public final class Topic<T> {

    private final String name;
    private final Class<T> type;
    private final @Nullable Codec codec;

    private Topic(String name, Class<T> type, @Nullable Codec codec) {
        this.name = name;
        this.type = type;
        this.codec = codec;
    }

    /**
     * A topic without a fixed codec.
     *
     * @param name the name, e.g. {@code sensors/kitchen/temp}; no wildcards, no empty segments
     * @param type the Java type of its values
     * @param <T> the value type
     * @return the topic
     * @throws IllegalArgumentException when the name is null, blank or malformed, or the type is null
     */
    public static <T> Topic<T> of(String name, Class<T> type) {
        Names.checkName("topic", name);
        Names.checkType("topic", type);
        return new Topic<>(name, type, null);
    }

    /**
     * This topic with a codec.
     *
     * @param codec the codec for its values
     * @return a new descriptor
     */
    public Topic<T> withCodec(Codec codec) {
        Objects.requireNonNull(codec, "codec");
        if (!codec.supports(type)) {
            throw new IllegalArgumentException("codec=" + codec.mimeType() + " does not support type=" + type.getName()
                    + " of topic='" + name + "'");
        }
        return new Topic<>(name, type, codec);
    }

    /**
     * The name.
     *
     * @return the topic name
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
     * @return the codec, or null when the topic does not fix one
     */
    public @Nullable Codec codec() {
        return codec;
    }

    /**
     * The selector of exactly this topic.
     *
     * @return a selector matching only this name
     */
    public Selector<T> selector() {
        return Selector.of(name, type);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Topic<?> t && t.name.equals(name) && t.type.equals(type) && Objects.equals(t.codec, codec);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type);
    }

    @Override
    public String toString() {
        return "Topic[" + name + ", " + type.getSimpleName() + "]";
    }
}
