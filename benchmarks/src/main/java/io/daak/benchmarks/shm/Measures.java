package io.daak.benchmarks.shm;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The figures of the shared-memory benchmarks. */
final class Measures {

    private Measures() {}

    /** The longest a single operation may take before a benchmark fails. */
    static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(60);

    /**
     * A one-way message rate.
     *
     * @param system what ran
     * @param size message size, bytes
     * @param messages messages that arrived, all checked
     * @param nanos from the first send to the last arrival
     */
    record Rate(String system, int size, long messages, long nanos) {
        double perSecond() {
            return messages * 1e9 / nanos;
        }

        double megabytesPerSecond() {
            return perSecond() * size / 1e6;
        }
    }

    /**
     * Round trips, one in flight at a time.
     *
     * @param system what ran
     * @param size message size each way, bytes
     * @param histogram round trips in nanoseconds
     */
    record RoundTrips(String system, int size, Histogram histogram) {
        double micros(double percentile) {
            return histogram.getValueAtPercentile(percentile) / 1e3;
        }
    }

    /** A histogram for round trips up to the timeout. */
    static Histogram histogram() {
        return new Histogram(TIMEOUT.toNanos(), 3);
    }

    /** {@code 64 B}, {@code 1 KiB}, {@code 16 MiB}: sizes as people say them (the largest RSocket one is 64 B short). */
    static String size(int bytes) {
        if (bytes >= (1 << 20) - 64) {
            return String.format(Locale.ROOT, "%d MiB", (bytes + 64) >> 20);
        }
        return bytes >= 1024 ? (bytes >> 10) + " KiB" : bytes + " B";
    }

    /**
     * Fails unless {@code condition}, naming the lost or wrong message. The description is made only
     * on failure: checks run per message, and building a string each time would cost more than a
     * small message's transport.
     */
    static void check(boolean condition, String system, java.util.function.Supplier<String> what) {
        if (!condition) {
            throw new IllegalStateException(system + ": " + what.get());
        }
    }
}
