package io.daak.core;

/**
 * What a subscription does when messages arrive faster than it requests them. Each subscription has
 * its own buffer of {@link #capacity()} messages beyond its outstanding demand; the policy decides
 * what happens when that buffer is full:
 *
 * <ul>
 *   <li>{@link Policy#BUFFER}: the subscription ends with an {@link OverflowException}.
 *   <li>{@link Policy#DROP_OLDEST}: the oldest buffered message is dropped to make room.
 *   <li>{@link Policy#DROP_LATEST}: the arriving message is dropped.
 *   <li>{@link Policy#ERROR}: like {@code BUFFER} with no buffer: a message that finds no demand ends
 *       the subscription with an {@link OverflowException}.
 *   <li>{@link Policy#BLOCK}: the publisher's {@code Mono} waits until there is room, so demand
 *       flows back to the publisher. Only this policy lets a slow subscriber delay others.
 * </ul>
 *
 * <p>Drops are counted: {@link PublishResult#dropped()} tells the publisher, and message sequence
 * numbers show the subscriber the gap. Immutable and thread-safe.
 */
public final class Overflow {

    /** The default buffer capacity: 1024 messages. */
    public static final int DEFAULT_CAPACITY = 1024;

    /** The overflow policies. */
    public enum Policy {
        /** Buffer up to the capacity, then fail the subscription. */
        BUFFER,
        /** Drop the oldest buffered message. */
        DROP_OLDEST,
        /** Drop the arriving message. */
        DROP_LATEST,
        /** Fail the subscription as soon as a message finds no demand. */
        ERROR,
        /** Make the publisher wait for room. */
        BLOCK
    }

    private static final Overflow DEFAULT = new Overflow(Policy.BUFFER, DEFAULT_CAPACITY);
    private static final Overflow ERROR = new Overflow(Policy.ERROR, 0);

    private final Policy policy;
    private final int capacity;

    private Overflow(Policy policy, int capacity) {
        this.policy = policy;
        this.capacity = capacity;
    }

    /**
     * The default: {@code BUFFER(1024)}.
     *
     * @return the default policy
     */
    public static Overflow defaults() {
        return DEFAULT;
    }

    /**
     * Buffer up to {@code capacity} messages beyond demand, then fail.
     *
     * @param capacity at least 1
     * @return the policy
     */
    public static Overflow buffer(int capacity) {
        return new Overflow(Policy.BUFFER, check(capacity));
    }

    /**
     * Buffer up to {@code capacity} messages beyond demand, dropping the oldest when full.
     *
     * @param capacity at least 1
     * @return the policy
     */
    public static Overflow dropOldest(int capacity) {
        return new Overflow(Policy.DROP_OLDEST, check(capacity));
    }

    /**
     * Buffer up to {@code capacity} messages beyond demand, dropping arriving ones when full.
     *
     * @param capacity at least 1
     * @return the policy
     */
    public static Overflow dropLatest(int capacity) {
        return new Overflow(Policy.DROP_LATEST, check(capacity));
    }

    /**
     * Fail as soon as a message finds no demand.
     *
     * @return the policy
     */
    public static Overflow error() {
        return ERROR;
    }

    /**
     * Buffer up to {@code capacity} messages beyond demand, then make publishers wait.
     *
     * @param capacity at least 1
     * @return the policy
     */
    public static Overflow block(int capacity) {
        return new Overflow(Policy.BLOCK, check(capacity));
    }

    private static int check(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity=" + capacity + " must be at least 1");
        }
        return capacity;
    }

    /**
     * The policy.
     *
     * @return the policy
     */
    public Policy policy() {
        return policy;
    }

    /**
     * The buffer capacity beyond outstanding demand.
     *
     * @return the capacity; 0 for {@link Policy#ERROR}
     */
    public int capacity() {
        return capacity;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Overflow other && other.policy == policy && other.capacity == capacity;
    }

    @Override
    public int hashCode() {
        return policy.hashCode() * 31 + capacity;
    }

    @Override
    public String toString() {
        return policy == Policy.ERROR ? "ERROR" : policy + "(" + capacity + ")";
    }
}
