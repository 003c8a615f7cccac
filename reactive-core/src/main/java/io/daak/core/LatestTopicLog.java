package io.daak.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TopicLog} that keeps only the latest message ({@link Retention#latest()}) or none
 * ({@link Retention#none()}), without locking: appends are serialised by the engine, and a read sees
 * the latest message or the one before it.
 *
 * <p>Thread-safe: the single appender stores with release semantics, readers load with acquire
 * (cheaper than volatile stores on the publish path).
 */
final class LatestTopicLog implements TopicLog {

    private static final VarHandle LATEST;
    private static final VarHandle LAST;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LATEST = lookup.findVarHandle(LatestTopicLog.class, "latest", Message.class);
            LAST = lookup.findVarHandle(LatestTopicLog.class, "last", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final boolean keep;

    @SuppressWarnings("unused") // accessed through LATEST
    private @Nullable Message<?> latest;

    @SuppressWarnings("unused") // accessed through LAST
    private long last;

    LatestTopicLog(boolean keep) {
        this.keep = keep;
    }

    @Override
    public void append(Message<?> message) {
        if (keep) {
            LATEST.setRelease(this, message);
        }
        LAST.setRelease(this, message.sequence());
    }

    @Override
    public void expire(long nowNanos) {
        // No age limit: the latest message stays until replaced.
    }

    @Override
    public @Nullable Message<?> read(long sequence) {
        Message<?> m = (Message<?>) LATEST.getAcquire(this);
        return m != null && m.sequence() == sequence ? m : null;
    }

    @Override
    public long first() {
        Message<?> m = (Message<?>) LATEST.getAcquire(this);
        return m == null ? 0 : m.sequence();
    }

    @Override
    public long last() {
        return (long) LAST.getAcquire(this);
    }

    @Override
    public long sequenceAt(long timestampNanos) {
        Message<?> m = (Message<?>) LATEST.getAcquire(this);
        return m != null && m.timestampNanos() >= timestampNanos ? m.sequence() : last() + 1;
    }
}
