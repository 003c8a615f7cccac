package io.daak.core;

import org.jspecify.annotations.Nullable;

/**
 * The retained messages of one topic, addressed by their sequence numbers (1, 2, 3, ...).
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #append} is called by one thread at a time, with consecutive sequence numbers; it
 *       applies the retention and evicts the oldest messages beyond it.
 *   <li>Reads may run concurrently with an append and with each other.
 *   <li>{@link #first()} is 0 and {@link #last()} the last appended sequence when nothing is retained.
 * </ul>
 */
public interface TopicLog {

    /**
     * Appends a message and evicts what the retention no longer allows.
     *
     * @param message the message; its sequence is {@code last() + 1}
     */
    void append(Message<?> message);

    /**
     * Evicts messages older than the retention's age limit.
     *
     * @param nowNanos the engine's clock, in nanoseconds since the epoch
     */
    void expire(long nowNanos);

    /**
     * Reads one message.
     *
     * @param sequence its sequence number
     * @return the message, or null when it is not retained (evicted, or not yet appended)
     */
    @Nullable
    Message<?> read(long sequence);

    /**
     * The oldest retained sequence.
     *
     * @return its sequence, or 0 when nothing is retained
     */
    long first();

    /**
     * The last appended sequence, retained or not.
     *
     * @return its sequence, or 0 before the first append
     */
    long last();

    /**
     * The first retained message published at or after a time.
     *
     * @param timestampNanos nanoseconds since the epoch
     * @return its sequence, or {@code last() + 1} when there is none
     */
    long sequenceAt(long timestampNanos);
}
