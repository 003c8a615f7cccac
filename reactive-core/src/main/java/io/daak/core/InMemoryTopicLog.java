package io.daak.core;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TopicLog} on the heap: a growable ring of messages bounded by the retention.
 *
 * <p>Thread-safe: all methods synchronise on the log; appends and reads are short.
 */
final class InMemoryTopicLog implements TopicLog {

    private final Retention retention;
    private final long maxAgeNanos;
    private Message<?>[] ring;
    private long[] weights;
    private long first; // sequence of ring[head]; meaningful when count > 0
    private int head;
    private int count;
    private long last;
    private long bytes;

    InMemoryTopicLog(String topic, Retention retention) {
        this.retention = retention;
        Duration age = retention.maxAge();
        this.maxAgeNanos = age == null ? Long.MAX_VALUE : age.toNanos();
        int initial = (int) Math.min(16, Math.max(1, retention.maxCount()));
        this.ring = new Message<?>[initial];
        this.weights = new long[initial];
    }

    @Override
    public synchronized void append(Message<?> message) {
        last = message.sequence();
        if (retention.maxCount() == 0) {
            return;
        }
        long weight = retention.maxBytes() == Long.MAX_VALUE ? 0 : retention.weigh(message.value());
        if (count == retention.maxCount()) {
            evictOldest();
        }
        if (count == ring.length) {
            grow();
        }
        int slot = (head + count) % ring.length;
        ring[slot] = message;
        weights[slot] = weight;
        if (count == 0) {
            first = message.sequence();
        }
        count++;
        bytes += weight;
        while (bytes > retention.maxBytes() && count > 0) {
            evictOldest();
        }
        if (maxAgeNanos != Long.MAX_VALUE) {
            expire(message.timestampNanos());
        }
    }

    @Override
    public synchronized void expire(long nowNanos) {
        if (maxAgeNanos == Long.MAX_VALUE) {
            return;
        }
        while (count > 0 && nowNanos - ring[head].timestampNanos() > maxAgeNanos) {
            evictOldest();
        }
    }

    private void evictOldest() {
        bytes -= weights[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        count--;
        first++;
    }

    private void grow() {
        int size = (int) Math.min(Math.max(ring.length * 2L, 1), Math.min(retention.maxCount(), Integer.MAX_VALUE - 8));
        if (size <= ring.length) {
            size = ring.length + 1;
        }
        Message<?>[] nextRing = new Message<?>[size];
        long[] nextWeights = new long[size];
        for (int i = 0; i < count; i++) {
            nextRing[i] = ring[(head + i) % ring.length];
            nextWeights[i] = weights[(head + i) % ring.length];
        }
        ring = nextRing;
        weights = nextWeights;
        head = 0;
    }

    @Override
    public synchronized @Nullable Message<?> read(long sequence) {
        if (count == 0 || sequence < first || sequence >= first + count) {
            return null;
        }
        return ring[(int) ((head + (sequence - first)) % ring.length)];
    }

    @Override
    public synchronized long first() {
        return count == 0 ? 0 : first;
    }

    @Override
    public synchronized long last() {
        return last;
    }

    @Override
    public synchronized long sequenceAt(long timestampNanos) {
        // Timestamps may be given by publishers, so they are not sorted: scan from the oldest.
        for (int i = 0; i < count; i++) {
            Message<?> m = ring[(head + i) % ring.length];
            if (m.timestampNanos() >= timestampNanos) {
                return m.sequence();
            }
        }
        return last + 1;
    }
}
