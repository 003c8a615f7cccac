package io.daak.core;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Settings of an in-process engine ({@link Daak#local(LocalOptions)}).
 *
 * <pre>{@code
 * Daak daak = Daak.local(LocalOptions.defaults()
 *     .retention("sensors/**", Retention.count(10_000))
 *     .interceptor(myMetrics));
 * }</pre>
 *
 * <p>Immutable and thread-safe; each method returns new options.
 */
public final class LocalOptions {

    /** A rule that gives the topics matching a pattern a retention. */
    record RetentionRule(Selector<Object> selector, Retention retention) {}

    /** A rule that gives the names matching a pattern a codec. */
    record CodecRule(Selector<Object> selector, Codec codec) {}

    private static final LocalOptions DEFAULTS = new LocalOptions(
            null, Storage.inMemory(), Retention.latest(), List.of(), List.of(), false, null, false, List.of());

    private final @Nullable Scheduler scheduler;
    private final Storage storage;
    private final Retention defaultRetention;
    private final List<RetentionRule> retentionRules;
    private final List<Interceptor> interceptors;
    private final boolean encodeInProcess;
    private final @Nullable ByteBufAllocator allocator;
    private final boolean cachedClock;
    private final List<CodecRule> codecRules;

    private LocalOptions(
            @Nullable Scheduler scheduler,
            Storage storage,
            Retention defaultRetention,
            List<RetentionRule> retentionRules,
            List<Interceptor> interceptors,
            boolean encodeInProcess,
            @Nullable ByteBufAllocator allocator,
            boolean cachedClock,
            List<CodecRule> codecRules) {
        this.scheduler = scheduler;
        this.storage = storage;
        this.defaultRetention = defaultRetention;
        this.retentionRules = retentionRules;
        this.interceptors = interceptors;
        this.encodeInProcess = encodeInProcess;
        this.allocator = allocator;
        this.cachedClock = cachedClock;
        this.codecRules = codecRules;
    }

    /**
     * In-memory storage, each topic keeping its latest message, no interceptors, values passed by
     * reference, timers on {@link Schedulers#parallel()}.
     *
     * @return the default options
     */
    public static LocalOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Runs timers (ack deadlines, timeouts, time-to-live) and reads the clock on this scheduler. Without
     * it the engine uses {@link Schedulers#parallel()} at each use, so that
     * {@code StepVerifier.withVirtualTime} drives the engine's time in tests.
     *
     * @param scheduler the scheduler
     * @return new options
     */
    public LocalOptions scheduler(Scheduler scheduler) {
        return new LocalOptions(
                Objects.requireNonNull(scheduler, "scheduler"),
                storage,
                defaultRetention,
                retentionRules,
                interceptors,
                encodeInProcess,
                allocator,
                cachedClock,
                codecRules);
    }

    /**
     * Keeps retained messages in this storage.
     *
     * @param storage the storage
     * @return new options
     */
    public LocalOptions storage(Storage storage) {
        return new LocalOptions(
                scheduler,
                Objects.requireNonNull(storage, "storage"),
                defaultRetention,
                retentionRules,
                interceptors,
                encodeInProcess,
                allocator,
                cachedClock,
                codecRules);
    }

    /**
     * The retention of topics that no rule matches.
     *
     * @param retention the retention
     * @return new options
     */
    public LocalOptions defaultRetention(Retention retention) {
        return new LocalOptions(
                scheduler,
                storage,
                Objects.requireNonNull(retention, "retention"),
                retentionRules,
                interceptors,
                encodeInProcess,
                allocator,
                cachedClock,
                codecRules);
    }

    /**
     * Gives the topics matching a pattern a retention; the first matching rule wins.
     *
     * @param pattern a selector pattern such as {@code sensors/**}
     * @param retention the retention
     * @return new options
     */
    public LocalOptions retention(String pattern, Retention retention) {
        List<RetentionRule> rules = new ArrayList<>(retentionRules);
        rules.add(
                new RetentionRule(Selector.of(pattern, Object.class), Objects.requireNonNull(retention, "retention")));
        return new LocalOptions(
                scheduler,
                storage,
                defaultRetention,
                List.copyOf(rules),
                interceptors,
                encodeInProcess,
                allocator,
                cachedClock,
                codecRules);
    }

    /**
     * Adds an interceptor at the end of the chain.
     *
     * @param interceptor the interceptor
     * @return new options
     */
    public LocalOptions interceptor(Interceptor interceptor) {
        List<Interceptor> list = new ArrayList<>(interceptors);
        list.add(Objects.requireNonNull(interceptor, "interceptor"));
        return new LocalOptions(
                scheduler,
                storage,
                defaultRetention,
                retentionRules,
                List.copyOf(list),
                encodeInProcess,
                allocator,
                cachedClock,
                codecRules);
    }

    /**
     * Encodes every value through its descriptor's codec and decodes a copy for each receiver, as a
     * network transport would: receivers never share the publisher's object, and codec problems show up
     * in process. A descriptor without a codec then fails with an error naming it.
     *
     * @param encode true to encode
     * @return new options
     */
    public LocalOptions encodeInProcess(boolean encode) {
        return new LocalOptions(
                scheduler,
                storage,
                defaultRetention,
                retentionRules,
                interceptors,
                encode,
                allocator,
                cachedClock,
                codecRules);
    }

    /**
     * Allocates encoded buffers from this allocator (with {@link #encodeInProcess(boolean)}).
     *
     * @param allocator the allocator
     * @return new options
     */
    public LocalOptions allocator(ByteBufAllocator allocator) {
        return new LocalOptions(
                scheduler,
                storage,
                defaultRetention,
                retentionRules,
                interceptors,
                encodeInProcess,
                Objects.requireNonNull(allocator, "allocator"),
                cachedClock,
                codecRules);
    }

    /**
     * Stamps messages from a wall clock that a daemon thread refreshes every millisecond, instead of
     * reading the scheduler's clock for every message. Reading the clock is a good part of the cost of
     * an in-process publish (about 20 ns on some virtual machines); with this option timestamps have
     * millisecond resolution. Time-to-live checks use the same clock. Ignored when
     * {@link #scheduler(Scheduler)} is set, and not for use under virtual time (the cached clock is
     * real time).
     *
     * @param cached true for the cached clock
     * @return new options
     */
    public LocalOptions cachedClock(boolean cached) {
        return new LocalOptions(
                scheduler,
                storage,
                defaultRetention,
                retentionRules,
                interceptors,
                encodeInProcess,
                allocator,
                cached,
                codecRules);
    }

    /**
     * Gives the topics, keys, queues and services whose name matches a pattern a codec, when their
     * descriptor fixes none; the first matching rule wins. Transports encode with it, and so does the
     * in-process engine with {@link #encodeInProcess(boolean)}.
     *
     * <pre>{@code
     * LocalOptions.defaults().codec("sensors/**", cbor).codec("**", json)
     * }</pre>
     *
     * @param pattern a selector pattern such as {@code sensors/**}
     * @param codec the codec
     * @return new options
     */
    public LocalOptions codec(String pattern, Codec codec) {
        List<CodecRule> rules = new ArrayList<>(codecRules);
        rules.add(new CodecRule(Selector.of(pattern, Object.class), Objects.requireNonNull(codec, "codec")));
        return new LocalOptions(
                scheduler,
                storage,
                defaultRetention,
                retentionRules,
                interceptors,
                encodeInProcess,
                allocator,
                cachedClock,
                List.copyOf(rules));
    }

    /** The descriptor's codec if it has one, else the first rule's for the name, else null. */
    @Nullable
    Codec codecFor(String name, @Nullable Codec descriptorCodec) {
        if (descriptorCodec != null) {
            return descriptorCodec;
        }
        for (CodecRule rule : codecRules) {
            if (rule.selector().matches(name)) {
                return rule.codec();
            }
        }
        return null;
    }

    boolean cachedClock() {
        return cachedClock;
    }

    @Nullable
    Scheduler scheduler() {
        return scheduler;
    }

    Storage storage() {
        return storage;
    }

    Retention retentionFor(String topic) {
        for (RetentionRule rule : retentionRules) {
            if (rule.selector().matches(topic)) {
                return rule.retention();
            }
        }
        return defaultRetention;
    }

    List<Interceptor> interceptors() {
        return interceptors;
    }

    boolean encodeInProcess() {
        return encodeInProcess;
    }

    ByteBufAllocator allocator() {
        return allocator == null ? ByteBufAllocator.DEFAULT : allocator;
    }
}
