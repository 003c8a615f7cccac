package io.daak.core;

import reactor.core.publisher.Mono;

/**
 * A handle for publishing to one topic at a high rate: the topic is looked up once, and
 * {@link #tryPublish} publishes without a {@code Mono}, the way {@code Sinks.Many.tryEmitNext} and
 * Aeron's {@code Publication.offer} do.
 *
 * <pre>{@code
 * Publication<Reading> readings = daak.publication(Topic.of("sensors/imu", Reading.class));
 * while (running) {
 *   Reading r = imu.read();
 *   if (!readings.tryPublish(r)) {
 *     readings.publish(r).block();   // a BLOCK subscriber is full: wait for room instead
 *   }
 * }
 * }</pre>
 *
 * <p>Thread-safe: several threads may publish through one publication; each thread's order is kept.
 *
 * @param <T> the value type
 */
public interface Publication<T> {

    /**
     * The topic.
     *
     * @return the topic published to
     */
    Topic<T> topic();

    /**
     * Publishes at once unless a {@link Overflow.Policy#BLOCK} subscriber is full.
     *
     * @param value the value
     * @param fields headers, sender, timestamp, priority, time-to-live
     * @return true when published; false, with nothing published, when the caller should wait (see
     *     {@link #publish(Object, Fields)})
     * @throws IllegalArgumentException when the value is null or not of the topic's type
     * @throws IllegalStateException when the handle is closed
     * @throws DaakException when an interceptor refuses the publish
     */
    boolean tryPublish(T value, Fields fields);

    /**
     * Publishes at once unless a {@link Overflow.Policy#BLOCK} subscriber is full.
     *
     * @param value the value
     * @return true when published, false when the caller should wait
     */
    default boolean tryPublish(T value) {
        return tryPublish(value, Fields.none());
    }

    /**
     * Publishes, waiting for room under {@link Overflow.Policy#BLOCK}; the same as
     * {@link Daak#publish(Topic, Object, Fields)}.
     *
     * @param value the value
     * @param fields the optional fields
     * @return the result
     */
    Mono<PublishResult> publish(T value, Fields fields);

    /**
     * Publishes with no optional fields.
     *
     * @param value the value
     * @return the result
     */
    default Mono<PublishResult> publish(T value) {
        return publish(value, Fields.none());
    }
}
