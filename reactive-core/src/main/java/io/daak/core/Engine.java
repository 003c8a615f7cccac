package io.daak.core;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * What the parts of one in-process engine share: its options, its clock and timers, and whether it
 * is closed.
 *
 * <p>Thread-safe.
 */
final class Engine {

    final LocalOptions options;
    final String name;
    private final boolean cachedClock;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ClockBase clockBase = new ClockBase(null, 0);

    Engine(LocalOptions options, String name) {
        this.options = options;
        this.name = name;
        this.cachedClock = options.cachedClock() && options.scheduler() == null;
    }

    /**
     * The scheduler for timers and the clock. Looked up at each use unless fixed in the options, so that
     * {@code StepVerifier.withVirtualTime} can replace it.
     */
    Scheduler scheduler() {
        Scheduler s = options.scheduler();
        return s != null ? s : Schedulers.parallel();
    }

    /**
     * The engine's clock in nanoseconds since the epoch: the scheduler's clock (which may be monotonic,
     * or virtual in tests) moved onto the wall clock when the scheduler is first seen.
     */
    long now() {
        if (cachedClock) {
            return CachedClock.nanos();
        }
        Scheduler s = scheduler();
        ClockBase base = clockBase;
        if (base.scheduler != s) {
            base = new ClockBase(s, Clock.toNanos(Instant.now()) - Clock.now(s));
            clockBase = base;
        }
        return Clock.now(s) + base.offset;
    }

    /** The offset from one scheduler's clock to the wall clock. */
    private record ClockBase(@Nullable Scheduler scheduler, long offset) {}

    boolean isClosed() {
        return closed.get();
    }

    boolean close() {
        return closed.compareAndSet(false, true);
    }

    DaakException closedError() {
        return new DaakException("this Daak handle (" + name + ") is closed; make a new one");
    }
}
