package io.daak.core;

import java.util.concurrent.atomic.AtomicBoolean;
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
    private final AtomicBoolean closed = new AtomicBoolean();

    Engine(LocalOptions options, String name) {
        this.options = options;
        this.name = name;
    }

    /**
     * The scheduler for timers and the clock. Looked up at each use unless fixed in the options, so that
     * {@code StepVerifier.withVirtualTime} can replace it.
     */
    Scheduler scheduler() {
        Scheduler s = options.scheduler();
        return s != null ? s : Schedulers.parallel();
    }

    long now() {
        return Clock.now(scheduler());
    }

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
