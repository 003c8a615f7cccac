package io.daak.codec;

import io.netty.buffer.ByteBuf;
import java.util.function.Function;

/**
 * A value read in place from a buffer it keeps alive: zero-copy access for formats such as
 * FlatBuffers, whose values are views over their bytes. Close it (try-with-resources) to release the
 * buffer; the value must not be used after.
 *
 * <pre>{@code
 * try (Lent<Pose> pose = FlatBuffersCodec.view(data, Pose.class)) {
 *   steer(pose.value().x(), pose.value().y());
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one owner at a time.
 *
 * @param <T> the value type
 */
public final class Lent<T> implements AutoCloseable {

    private final T value;
    private ByteBuf buffer;

    Lent(T value, ByteBuf buffer) {
        this.value = value;
        this.buffer = buffer;
    }

    /**
     * Reads a value over a retained slice of {@code data}, which the result keeps until closed; the
     * slice is released at once if reading fails.
     */
    static <T> Lent<T> over(ByteBuf data, Function<ByteBuf, T> reader) {
        ByteBuf slice = data.retainedSlice();
        try {
            return new Lent<>(reader.apply(slice), slice);
        } catch (RuntimeException e) {
            slice.release();
            throw e;
        }
    }

    /**
     * The value, valid until {@link #close()}.
     *
     * @return the value
     * @throws IllegalStateException after close
     */
    public T value() {
        if (buffer == null) {
            throw new IllegalStateException("this Lent value was closed; its bytes are released");
        }
        return value;
    }

    /** Releases the bytes the value reads from. Idempotent. */
    @Override
    public void close() {
        ByteBuf b = buffer;
        buffer = null;
        if (b != null) {
            b.release();
        }
    }
}
