package io.daak.core;

import java.util.Objects;

/**
 * How a subscription (or a key watch) starts and what it does when it falls behind.
 *
 * <pre>{@code
 * daak.subscribe(selector, SubscribeOptions.defaults().start(Start.earliest()).overflow(Overflow.dropOldest(100)));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class SubscribeOptions {

    private static final SubscribeOptions DEFAULTS =
            new SubscribeOptions(Start.newMessages(), Overflow.defaults(), Fields.none());

    private final Start start;
    private final Overflow overflow;
    private final Fields fields;

    private SubscribeOptions(Start start, Overflow overflow, Fields fields) {
        this.start = start;
        this.overflow = overflow;
        this.fields = fields;
    }

    /**
     * New messages only, {@link Overflow#defaults()}.
     *
     * @return the default options
     */
    public static SubscribeOptions defaults() {
        return DEFAULTS;
    }

    /**
     * These options with another start.
     *
     * @param start where to start
     * @return new options
     */
    public SubscribeOptions start(Start start) {
        return new SubscribeOptions(Objects.requireNonNull(start, "start"), overflow, fields);
    }

    /**
     * These options with another overflow policy.
     *
     * @param overflow what to do when falling behind
     * @return new options
     */
    public SubscribeOptions overflow(Overflow overflow) {
        return new SubscribeOptions(start, Objects.requireNonNull(overflow, "overflow"), fields);
    }

    /**
     * These options with the subscriber's fields: headers and sender identity, seen by interceptors
     * (e.g. for authorisation).
     *
     * @param fields the fields
     * @return new options
     */
    public SubscribeOptions fields(Fields fields) {
        return new SubscribeOptions(start, overflow, Objects.requireNonNull(fields, "fields"));
    }

    /**
     * The subscriber's fields.
     *
     * @return the fields, {@link Fields#none()} by default
     */
    public Fields fields() {
        return fields;
    }

    /**
     * The start.
     *
     * @return where the subscription starts
     */
    public Start start() {
        return start;
    }

    /**
     * The overflow policy.
     *
     * @return what the subscription does when it falls behind
     */
    public Overflow overflow() {
        return overflow;
    }

    @Override
    public String toString() {
        return "SubscribeOptions[start=" + start + ", overflow=" + overflow + ", fields=" + fields + "]";
    }
}
