package io.daak.core;

import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.Objects;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * How many published messages a topic keeps for subscribers that start from a stored position: at
 * most a count, at most a number of bytes, and no older than an age. Whichever limit is reached first
 * evicts the oldest messages. The default keeps the latest message of each topic.
 *
 * <pre>{@code
 * Retention.count(10_000).withMaxBytes(64 << 20).withMaxAge(Duration.ofMinutes(10))
 * }</pre>
 *
 * <p>Bytes are measured by a weigher: {@code byte[]}, {@link CharSequence} (two bytes a char),
 * {@link ByteBuf} and {@link Sized} values by their size, other values as 64 bytes, unless you give your own
 * ({@link #withWeigher}). Immutable and thread-safe.
 */
public final class Retention {

    private static final ToLongFunction<Object> DEFAULT_WEIGHER = Retention::defaultWeight;
    private static final Retention NONE = new Retention(0, Long.MAX_VALUE, null, DEFAULT_WEIGHER);
    private static final Retention LATEST = new Retention(1, Long.MAX_VALUE, null, DEFAULT_WEIGHER);

    private final long maxCount;
    private final long maxBytes;
    private final @Nullable Duration maxAge;
    private final ToLongFunction<Object> weigher;

    private Retention(long maxCount, long maxBytes, @Nullable Duration maxAge, ToLongFunction<Object> weigher) {
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
        this.maxAge = maxAge;
        this.weigher = weigher;
    }

    /**
     * Keep nothing: subscribers can only receive new messages.
     *
     * @return the retention
     */
    public static Retention none() {
        return NONE;
    }

    /**
     * Keep the latest message of the topic (a retained value); the default.
     *
     * @return the retention
     */
    public static Retention latest() {
        return LATEST;
    }

    /**
     * Keep up to {@code maxCount} messages.
     *
     * @param maxCount at least 0
     * @return the retention
     */
    public static Retention count(long maxCount) {
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount=" + maxCount + " must not be negative");
        }
        return new Retention(maxCount, Long.MAX_VALUE, null, DEFAULT_WEIGHER);
    }

    /**
     * This retention with a byte limit.
     *
     * @param maxBytes at least 0
     * @return a new retention
     */
    public Retention withMaxBytes(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes=" + maxBytes + " must not be negative");
        }
        return new Retention(maxCount, maxBytes, maxAge, weigher);
    }

    /**
     * This retention with an age limit.
     *
     * @param maxAge a positive duration
     * @return a new retention
     */
    public Retention withMaxAge(Duration maxAge) {
        if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge=" + maxAge + " must be a positive duration");
        }
        return new Retention(maxCount, maxBytes, maxAge, weigher);
    }

    /**
     * This retention with a weigher for the byte limit.
     *
     * @param weigher the size in bytes of a value
     * @return a new retention
     */
    public Retention withWeigher(ToLongFunction<Object> weigher) {
        return new Retention(maxCount, maxBytes, maxAge, Objects.requireNonNull(weigher, "weigher"));
    }

    /**
     * The count limit.
     *
     * @return the most messages kept
     */
    public long maxCount() {
        return maxCount;
    }

    /**
     * The byte limit.
     *
     * @return the most bytes kept, {@link Long#MAX_VALUE} for no limit
     */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * The age limit.
     *
     * @return the oldest a kept message may be, or null for no limit
     */
    public @Nullable Duration maxAge() {
        return maxAge;
    }

    /**
     * The size of a value, for the byte limit.
     *
     * @param value a value
     * @return its size in bytes
     */
    public long weigh(Object value) {
        return weigher.applyAsLong(value);
    }

    private static long defaultWeight(Object value) {
        if (value instanceof byte[] b) {
            return b.length;
        }
        if (value instanceof CharSequence s) {
            return 2L * s.length();
        }
        if (value instanceof ByteBuf b) {
            return b.readableBytes();
        }
        if (value instanceof Sized s) {
            return Math.max(0, s.sizeInBytes());
        }
        return 64;
    }

    @Override
    public String toString() {
        return "Retention[maxCount=" + maxCount + ", maxBytes=" + maxBytes + ", maxAge=" + maxAge + "]";
    }
}
