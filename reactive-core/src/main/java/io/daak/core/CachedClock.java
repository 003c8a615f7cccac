package io.daak.core;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A wall clock in nanoseconds since the epoch that a daemon thread refreshes every millisecond, so
 * that reading it costs a volatile load instead of a system call (the approach of Aeron's
 * {@code CachedEpochClock}). Its resolution is one millisecond. Started on first use; one thread per
 * JVM.
 *
 * <p>Thread-safe.
 */
final class CachedClock {

    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static volatile long now = Clock.toNanos(Instant.now());

    static {
        Thread ticker = new Thread(CachedClock::tick, "daak-cached-clock");
        ticker.setDaemon(true);
        ticker.start();
    }

    private CachedClock() {}

    /** The cached time in nanoseconds since the epoch, at most about a millisecond old. */
    static long nanos() {
        return now;
    }

    private static void tick() {
        for (; ; ) {
            LockSupport.parkNanos(PERIOD_NANOS);
            long t = Clock.toNanos(Instant.now());
            if (t > now) {
                now = t; // never backwards
            }
        }
    }
}
