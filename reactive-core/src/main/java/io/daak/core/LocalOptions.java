package io.daak.core;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
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

    private static final LocalOptions DEFAULTS = new LocalOptions(new Settings());

    /** The mutable copy each option method changes one thing of; never shared. */
    private static final class Settings implements Cloneable {
        @Nullable
        Scheduler scheduler;

        Storage storage = Storage.inMemory();
        Retention defaultRetention = Retention.latest();
        List<RetentionRule> retentionRules = List.of();
        List<Interceptor> interceptors = List.of();
        boolean encodeInProcess;

        @Nullable
        ByteBufAllocator allocator;

        boolean cachedClock;
        List<CodecRule> codecRules = List.of();
        int maxTopics = DEFAULT_MAX_TOPICS;

        @Override
        protected Settings clone() {
            try {
                return (Settings) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** The default bound on the number of topics an engine holds: 100,000. */
    public static final int DEFAULT_MAX_TOPICS = 100_000;

    private final Settings settings;

    private LocalOptions(Settings settings) {
        this.settings = settings;
    }

    /** New options: a copy of these with one change. */
    private LocalOptions with(Consumer<Settings> change) {
        Settings copy = settings.clone();
        change.accept(copy);
        return new LocalOptions(copy);
    }

    private static <T> List<T> plus(List<T> list, T element) {
        List<T> copy = new ArrayList<>(list);
        copy.add(element);
        return List.copyOf(copy);
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
        Objects.requireNonNull(scheduler, "scheduler");
        return with(s -> s.scheduler = scheduler);
    }

    /**
     * Keeps retained messages in this storage.
     *
     * @param storage the storage
     * @return new options
     */
    public LocalOptions storage(Storage storage) {
        Objects.requireNonNull(storage, "storage");
        return with(s -> s.storage = storage);
    }

    /**
     * The retention of topics that no rule matches.
     *
     * @param retention the retention
     * @return new options
     */
    public LocalOptions defaultRetention(Retention retention) {
        Objects.requireNonNull(retention, "retention");
        return with(s -> s.defaultRetention = retention);
    }

    /**
     * Gives the topics matching a pattern a retention; the first matching rule wins.
     *
     * @param pattern a selector pattern such as {@code sensors/**}
     * @param retention the retention
     * @return new options
     */
    public LocalOptions retention(String pattern, Retention retention) {
        RetentionRule rule =
                new RetentionRule(Selector.of(pattern, Object.class), Objects.requireNonNull(retention, "retention"));
        return with(s -> s.retentionRules = plus(s.retentionRules, rule));
    }

    /**
     * Adds an interceptor at the end of the chain.
     *
     * @param interceptor the interceptor
     * @return new options
     */
    public LocalOptions interceptor(Interceptor interceptor) {
        Objects.requireNonNull(interceptor, "interceptor");
        return with(s -> s.interceptors = plus(s.interceptors, interceptor));
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
        return with(s -> s.encodeInProcess = encode);
    }

    /**
     * Allocates encoded buffers from this allocator (with {@link #encodeInProcess(boolean)}).
     *
     * @param allocator the allocator
     * @return new options
     */
    public LocalOptions allocator(ByteBufAllocator allocator) {
        Objects.requireNonNull(allocator, "allocator");
        return with(s -> s.allocator = allocator);
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
        return with(s -> s.cachedClock = cached);
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
        CodecRule rule = new CodecRule(Selector.of(pattern, Object.class), Objects.requireNonNull(codec, "codec"));
        return with(s -> s.codecRules = plus(s.codecRules, rule));
    }

    /**
     * Bounds the number of distinct topics the engine holds (each keeps its state and retained
     * messages): publishing to a new topic beyond it fails with an error that says so. The default is
     * {@value #DEFAULT_MAX_TOPICS}.
     *
     * @param maxTopics at least 1
     * @return new options
     */
    public LocalOptions maxTopics(int maxTopics) {
        if (maxTopics < 1) {
            throw new IllegalArgumentException("maxTopics=" + maxTopics + " must be at least 1");
        }
        return with(s -> s.maxTopics = maxTopics);
    }

    int maxTopics() {
        return settings.maxTopics;
    }

    /** The descriptor's codec if it has one, else the first rule's for the name, else null. */
    @Nullable
    Codec codecFor(String name, @Nullable Codec descriptorCodec) {
        if (descriptorCodec != null) {
            return descriptorCodec;
        }
        for (CodecRule rule : settings.codecRules) {
            if (rule.selector().matches(name)) {
                return rule.codec();
            }
        }
        return null;
    }

    boolean cachedClock() {
        return settings.cachedClock;
    }

    @Nullable
    Scheduler scheduler() {
        return settings.scheduler;
    }

    Storage storage() {
        return settings.storage;
    }

    Retention retentionFor(String topic) {
        for (RetentionRule rule : settings.retentionRules) {
            if (rule.selector().matches(topic)) {
                return rule.retention();
            }
        }
        return settings.defaultRetention;
    }

    List<Interceptor> interceptors() {
        return settings.interceptors;
    }

    boolean encodeInProcess() {
        return settings.encodeInProcess;
    }

    ByteBufAllocator allocator() {
        ByteBufAllocator a = settings.allocator;
        return a == null ? ByteBufAllocator.DEFAULT : a;
    }
}
