package io.daak.core;

/**
 * A message received from a queue, to be acknowledged. Until {@link #ack()} it belongs to this
 * receiver; {@link #nack()}, cancelling the receiving stream or letting the queue's ack deadline pass
 * returns it to the queue for redelivery (to this or another receiver), until its attempts run out
 * and it goes to the dead-letter topic.
 *
 * <pre>{@code
 * daak.recv(jobs)
 *     .concatMap(d -> process(d.value())
 *         .doOnSuccess(r -> d.ack())
 *         .onErrorResume(e -> { d.nack(); return Mono.empty(); }))   // one failed job must not end the receiver
 *     .subscribe();
 * }</pre>
 *
 * <p>Thread-safe; {@code ack} and {@code nack} are idempotent and only the first of them counts.
 *
 * @param <T> the value type
 */
public interface Delivery<T> {

    /**
     * The message; its topic is the queue name and its sequence number counts the queue's messages.
     *
     * @return the message
     */
    Message<T> message();

    /**
     * Shorthand for {@code message().value()}.
     *
     * @return the value
     */
    default T value() {
        return message().value();
    }

    /**
     * Which attempt this is.
     *
     * @return 1 for the first delivery, 2 for the first redelivery, and so on
     */
    int attempt();

    /** Acknowledges the message: it is done and leaves the queue. */
    void ack();

    /** Rejects the message: it goes back to the queue for redelivery, or to the dead-letter topic. */
    void nack();
}
