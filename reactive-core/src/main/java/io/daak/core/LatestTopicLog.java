package io.daak.core;

import org.jspecify.annotations.Nullable;

/**
 * A {@link TopicLog} that keeps only the latest message ({@link Retention#latest()}) or none
 * ({@link Retention#none()}), without locking: appends are serialised by the engine, and a read sees
 * the latest message or the one before it.
 *
 * <p>Thread-safe.
 */
final class LatestTopicLog implements TopicLog {

    private final boolean keep;
    private volatile @Nullable Message<?> latest;
    private volatile long last;

    LatestTopicLog(boolean keep) {
        this.keep = keep;
    }

    @Override
    public void append(Message<?> message) {
        if (keep) {
            latest = message;
        }
        last = message.sequence();
    }

    @Override
    public void expire(long nowNanos) {
        // No age limit: the latest message stays until replaced.
    }

    @Override
    public @Nullable Message<?> read(long sequence) {
        Message<?> m = latest;
        return m != null && m.sequence() == sequence ? m : null;
    }

    @Override
    public long first() {
        Message<?> m = latest;
        return m == null ? 0 : m.sequence();
    }

    @Override
    public long last() {
        return last;
    }

    @Override
    public long sequenceAt(long timestampNanos) {
        Message<?> m = latest;
        return m != null && m.timestampNanos() >= timestampNanos ? m.sequence() : last + 1;
    }
}
