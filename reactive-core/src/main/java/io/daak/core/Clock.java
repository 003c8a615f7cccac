package io.daak.core;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import reactor.core.scheduler.Scheduler;

/** Conversions between the engine's nanosecond clock (a Reactor {@link Scheduler}) and {@link Instant}. */
final class Clock {

    private Clock() {}

    static long now(Scheduler scheduler) {
        return scheduler.now(TimeUnit.NANOSECONDS);
    }

    static long toNanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    static Instant toInstant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
