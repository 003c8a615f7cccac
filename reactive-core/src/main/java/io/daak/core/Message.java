package io.daak.core;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A published message as a subscriber receives it: topic, value, headers, sender, timestamp, the
 * per-topic sequence number, priority and expiry.
 *
 * <p>Immutable and thread-safe as far as the value is. In process the value is the publisher's own
 * object (passed by reference) unless {@link LocalOptions#encodeInProcess(boolean)} is on.
 *
 * @param <T> the value type
 */
public final class Message<T> {

    private final String topic;
    private final T value;
    private final long sequence;
    private final long timestampNanos;
    private final long expiresAtNanos;
    private final Fields fields;
    private final @Nullable String mimeType;

    Message(String topic, T value, long sequence, long timestampNanos, long expiresAtNanos, Fields fields) {
        this(
                topic,
                value,
                sequence,
                timestampNanos,
                expiresAtNanos,
                fields,
                value instanceof EncodedValue ev ? ev.codec().mimeType() : null);
    }

    private Message(
            String topic,
            T value,
            long sequence,
            long timestampNanos,
            long expiresAtNanos,
            Fields fields,
            @Nullable String mimeType) {
        this.topic = topic;
        this.value = value;
        this.sequence = sequence;
        this.timestampNanos = timestampNanos;
        this.expiresAtNanos = expiresAtNanos;
        this.fields = fields;
        this.mimeType = mimeType;
    }

    /**
     * Makes a message, for transports and tests that rebuild messages received from elsewhere.
     *
     * @param topic the topic name
     * @param value the value
     * @param sequence the per-topic sequence number (1 for the first message of a topic)
     * @param timestamp when it was published
     * @param fields headers, sender, priority and time-to-live as published
     * @param <T> the value type
     * @return the message
     */
    public static <T> Message<T> of(String topic, T value, long sequence, Instant timestamp, Fields fields) {
        return make(topic, value, sequence, timestamp, fields, null);
    }

    private static <T> Message<T> make(
            String topic, T value, long sequence, Instant timestamp, Fields fields, @Nullable String mimeType) {
        Names.checkName("topic", topic);
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
        long ts = Clock.toNanos(timestamp);
        long expires = fields.ttl() == null ? 0 : ts + fields.ttl().toNanos();
        return new Message<>(topic, value, sequence, ts, expires, fields, mimeType);
    }

    /**
     * Makes a message that travelled encoded, for transports: {@link #mimeType()} says the format.
     *
     * @param topic the topic name
     * @param value the decoded value
     * @param sequence the per-topic sequence number
     * @param timestamp when it was published
     * @param fields headers, sender, priority and time-to-live as published
     * @param mimeType the MIME type of the encoded form it arrived in
     * @param <T> the value type
     * @return the message
     */
    public static <T> Message<T> of(
            String topic, T value, long sequence, Instant timestamp, Fields fields, String mimeType) {
        if (mimeType == null || mimeType.isBlank()) {
            throw new IllegalArgumentException("mimeType must not be null or blank");
        }
        return make(topic, value, sequence, timestamp, fields, mimeType);
    }

    /**
     * The topic it was published on.
     *
     * @return the topic name
     */
    public String topic() {
        return topic;
    }

    /**
     * The value.
     *
     * @return the value
     */
    public T value() {
        return value;
    }

    /**
     * The per-topic sequence number: 1 for a topic's first message, then consecutive. A gap seen by a
     * subscriber means messages it did not receive (dropped or expired).
     *
     * @return the sequence number
     */
    public long sequence() {
        return sequence;
    }

    /**
     * When it was published.
     *
     * @return the timestamp
     */
    public Instant timestamp() {
        return Clock.toInstant(timestampNanos);
    }

    /**
     * The timestamp in nanoseconds since the epoch, without allocating.
     *
     * @return the timestamp
     */
    public long timestampNanos() {
        return timestampNanos;
    }

    /**
     * When it expires.
     *
     * @return the expiry, or null when it has no time-to-live
     */
    public @Nullable Instant expiresAt() {
        return expiresAtNanos == 0 ? null : Clock.toInstant(expiresAtNanos);
    }

    long expiresAtNanos() {
        return expiresAtNanos;
    }

    /**
     * The headers.
     *
     * @return an unmodifiable map, empty when none
     */
    public Map<String, String> headers() {
        return fields.headers();
    }

    /**
     * Who sent it.
     *
     * @return the sender, or null when the publisher did not say
     */
    public @Nullable String sender() {
        return fields.sender();
    }

    /**
     * Its priority.
     *
     * @return the priority, 0 by default
     */
    public int priority() {
        return fields.priority();
    }

    /**
     * The optional fields it was published with.
     *
     * @return the fields
     */
    public Fields fields() {
        return fields;
    }

    /**
     * The format the value travelled in: the MIME type of its codec when it was encoded (by a transport,
     * or in process with {@link LocalOptions#encodeInProcess(boolean)}), so any receiver knows how the
     * bytes were to be read.
     *
     * @return the MIME type, or null when the value was passed by reference
     */
    public @Nullable String mimeType() {
        return mimeType;
    }

    <R> Message<R> withValue(R newValue) {
        return new Message<>(topic, newValue, sequence, timestampNanos, expiresAtNanos, fields, mimeType);
    }

    @Override
    public String toString() {
        return "Message[" + topic + "#" + sequence + " " + value + "]";
    }
}
