package io.daak.core;

import java.util.concurrent.atomic.AtomicLong;

/** What every contract test needs: the handle under test and unique names. */
public interface ContractSupport {

    /** Counter for unique names across all tests in the JVM. */
    AtomicLong COUNTER = new AtomicLong();

    /**
     * The handle under test, fresh for each test.
     *
     * @return the handle
     */
    Daak daak();

    /**
     * Whether {@link Publication#tryPublish} knows at once that a {@code BLOCK} subscriber is full. True
     * in process; a remote handle sends a fire-and-forget frame and cannot know without a round trip.
     *
     * @return true when the handle under test can refuse a tryPublish for a full BLOCK subscriber
     */
    default boolean tryPublishSeesFullBlockSubscribers() {
        return true;
    }

    /**
     * Whether a queue receiver of the wrong Java type leaves the message untouched (no attempt used). True
     * in process; a node holds encoded values and the type check happens at the remote receiver, after
     * the delivery has counted as an attempt.
     *
     * @return true when wrong-type receivers do not use up a delivery attempt
     */
    default boolean wrongTypeReceiversKeepTheAttempt() {
        return true;
    }

    /**
     * A name no other test uses.
     *
     * @param prefix the start of the name
     * @return {@code prefix} followed by a unique segment
     */
    default String unique(String prefix) {
        return prefix + "/t" + COUNTER.incrementAndGet();
    }
}
