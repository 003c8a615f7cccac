package io.daak.core;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A point-to-point queue: each message sent goes to exactly one of the competing receivers, who
 * acknowledges it. Unacknowledged deliveries are redelivered when the receiver cancels, nacks, or lets
 * the ack deadline pass; after {@link #maxDeliveries()} attempts a message goes to the
 * {@link #deadLetterTopic() dead-letter topic}.
 *
 * <pre>{@code
 * Queue<Job> jobs = Queue.of("jobs", Job.class).withAckTimeout(Duration.ofSeconds(10)).withMaxDeliveries(3);
 * }</pre>
 *
 * <p>The settings apply from the first use of the queue's name on an engine; later descriptors of the
 * same name use the queue as it was set up. Immutable and thread-safe.
 *
 * @param <T> the value type
 */
public final class Queue<T> {

    /** The default time a receiver has to acknowledge a delivery: 30 seconds. */
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(30);

    /** The default number of delivery attempts before dead-lettering: 5. */
    public static final int DEFAULT_MAX_DELIVERIES = 5;

    /** The default number of messages a queue holds before {@code send} fails: 100,000. */
    public static final int DEFAULT_CAPACITY = 100_000;

    private final String name;
    private final Class<T> type;
    private final @Nullable Codec codec;
    private final Duration ackTimeout;
    private final int maxDeliveries;
    private final int capacity;
    private final String deadLetterTopic;

    private Queue(
            String name,
            Class<T> type,
            @Nullable Codec codec,
            Duration ackTimeout,
            int maxDeliveries,
            int capacity,
            String deadLetterTopic) {
        this.name = name;
        this.type = type;
        this.codec = codec;
        this.ackTimeout = ackTimeout;
        this.maxDeliveries = maxDeliveries;
        this.capacity = capacity;
        this.deadLetterTopic = deadLetterTopic;
    }

    /**
     * A queue with the default settings; its dead-letter topic is {@code $dlq/<name>}.
     *
     * @param name the name, e.g. {@code jobs/resize}; no wildcards, no empty segments
     * @param type the Java type of its values
     * @param <T> the value type
     * @return the queue
     * @throws IllegalArgumentException when the name is null, blank or malformed, or the type is null
     */
    public static <T> Queue<T> of(String name, Class<T> type) {
        Names.checkName("queue", name);
        Names.checkType("queue", type);
        return new Queue<>(
                name, type, null, DEFAULT_ACK_TIMEOUT, DEFAULT_MAX_DELIVERIES, DEFAULT_CAPACITY, "$dlq/" + name);
    }

    /**
     * This queue with a codec.
     *
     * @param codec the codec for its values
     * @return a new descriptor
     */
    public Queue<T> withCodec(Codec codec) {
        Objects.requireNonNull(codec, "codec");
        if (!codec.supports(type)) {
            throw new IllegalArgumentException("codec=" + codec.mimeType() + " does not support type=" + type.getName()
                    + " of queue='" + name + "'");
        }
        return new Queue<>(name, type, codec, ackTimeout, maxDeliveries, capacity, deadLetterTopic);
    }

    /**
     * This queue with another ack deadline.
     *
     * @param ackTimeout how long a receiver has to ack or nack a delivery; positive
     * @return a new descriptor
     */
    public Queue<T> withAckTimeout(Duration ackTimeout) {
        if (ackTimeout == null || ackTimeout.isNegative() || ackTimeout.isZero()) {
            throw new IllegalArgumentException("ackTimeout=" + ackTimeout + " must be a positive duration");
        }
        return new Queue<>(name, type, codec, ackTimeout, maxDeliveries, capacity, deadLetterTopic);
    }

    /**
     * This queue with another number of delivery attempts.
     *
     * @param maxDeliveries attempts before a message is dead-lettered; at least 1
     * @return a new descriptor
     */
    public Queue<T> withMaxDeliveries(int maxDeliveries) {
        if (maxDeliveries < 1) {
            throw new IllegalArgumentException("maxDeliveries=" + maxDeliveries + " must be at least 1");
        }
        return new Queue<>(name, type, codec, ackTimeout, maxDeliveries, capacity, deadLetterTopic);
    }

    /**
     * This queue with another capacity.
     *
     * @param capacity messages held (waiting or in flight) before {@code send} fails; at least 1
     * @return a new descriptor
     */
    public Queue<T> withCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity=" + capacity + " must be at least 1");
        }
        return new Queue<>(name, type, codec, ackTimeout, maxDeliveries, capacity, deadLetterTopic);
    }

    /**
     * This queue with another dead-letter topic.
     *
     * @param topic the topic that receives messages whose attempts ran out
     * @return a new descriptor
     */
    public Queue<T> withDeadLetterTopic(String topic) {
        Names.checkName("deadLetterTopic", topic);
        return new Queue<>(name, type, codec, ackTimeout, maxDeliveries, capacity, topic);
    }

    /**
     * The name.
     *
     * @return the queue name
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
     * @return the codec, or null when the queue does not fix one
     */
    public @Nullable Codec codec() {
        return codec;
    }

    /**
     * The ack deadline.
     *
     * @return how long a receiver has to acknowledge a delivery
     */
    public Duration ackTimeout() {
        return ackTimeout;
    }

    /**
     * The delivery attempts.
     *
     * @return attempts before a message is dead-lettered
     */
    public int maxDeliveries() {
        return maxDeliveries;
    }

    /**
     * The capacity.
     *
     * @return messages held before {@code send} fails
     */
    public int capacity() {
        return capacity;
    }

    /**
     * The dead-letter topic.
     *
     * @return the topic name that receives messages whose attempts ran out
     */
    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    @Override
    public String toString() {
        return "Queue[" + name + ", " + type.getSimpleName() + "]";
    }
}
