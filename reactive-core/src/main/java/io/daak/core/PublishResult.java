package io.daak.core;

/**
 * What happened to one published message: its sequence number, how many subscriptions matched its
 * topic and for how many of them the message caused a drop (its own, the oldest buffered one, or an
 * overflow error), per their {@link Overflow} policy.
 *
 * <p>Immutable and thread-safe.
 *
 * @param topic the topic name
 * @param sequence the sequence number the message got
 * @param matched the subscriptions whose selector matched
 * @param dropped how many of those dropped a message because of this one
 */
public record PublishResult(String topic, long sequence, int matched, int dropped) {

    /**
     * Subscriptions that took the message without dropping anything.
     *
     * @return {@code matched - dropped}
     */
    public int delivered() {
        return matched - dropped;
    }
}
