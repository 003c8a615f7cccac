package io.daak.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a measurement warms up: for at least {@code minimum}, then on in one-second slices while the
 * JIT compilers of this JVM or of the server's JVM are still at work, up to {@code maximum}. A fixed
 * warm-up measured a JVM still compiling: the first case of a run, in two fresh JVMs, spent about
 * two of its five measured seconds of CPU in C2 and measured 40 % below the same case a few seconds
 * later. nats-server has no JIT ({@link #NO_JIT}); its clients in this JVM are watched all the same.
 * Used by the network ({@code net}) and shared-memory ({@code shm}) benchmarks.
 *
 * @param minimum the warm-up every measurement gets
 * @param maximum the warm-up no measurement exceeds (equal to the minimum: a fixed warm-up)
 * @param serverCompileMillis the server JVM's total compilation time so far, in milliseconds
 */
public record Warmup(Duration minimum, Duration maximum, LongSupplier serverCompileMillis) {

    private static final Logger log = LoggerFactory.getLogger(Warmup.class);

    /** For a server without a JIT. */
    public static final LongSupplier NO_JIT = () -> 0;

    /** A slice of warm-up with compilation below this (both JVMs together) counts as settled. */
    public static final long SETTLED_MILLIS = 20;

    private static final Duration SLICE = Duration.ofSeconds(1);

    /** The start of the answer to {@code jit}, before the milliseconds. */
    public static final String JIT = "JIT ";

    /**
     * Runs a warm-up: {@code work} is called with how long to keep working each time.
     *
     * @param what what warms up, for the log
     * @param work the work
     * @return how long the warm-up took
     * @throws Exception when the work fails
     */
    public Duration run(String what, Work work) throws Exception {
        long start = System.nanoTime();
        work.run(minimum);
        long compiled = compileMillis();
        long limit = start + maximum.toNanos();
        while (System.nanoTime() + SLICE.toNanos() <= limit) {
            work.run(SLICE);
            long now = compileMillis();
            if (now - compiled < SETTLED_MILLIS) {
                break;
            }
            compiled = now;
        }
        Duration spent = Duration.ofNanos(System.nanoTime() - start);
        log.info("{}: warmed up for {} ms", what, spent.toMillis());
        return spent;
    }

    private long compileMillis() {
        return compiledHere() + serverCompileMillis.getAsLong();
    }

    /**
     * What a server JVM answers to {@code jit}: {@code JIT <milliseconds its JIT compilers have worked>}.
     *
     * @return the answer line
     */
    public static String jitAnswer() {
        return JIT + compiledHere();
    }

    private static long compiledHere() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /** Some work for a given time. */
    @FunctionalInterface
    public interface Work {
        /**
         * Keeps working for about {@code time}.
         *
         * @param time how long
         * @throws Exception when the work fails
         */
        void run(Duration time) throws Exception;
    }
}
