package io.daak.benchmarks.tracing;

import io.daak.core.Daak;
import io.daak.core.LocalOptions;
import io.daak.core.Topic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;

/**
 * The observability overhead measured as paired comparisons, for a machine other work shares: every setup
 * (registries off, metrics on, metrics + tracing with sampling off, and for
 * reference a chain of one interceptor that passes calls on, and no interceptors at all) runs side by side in one JVM, and the
 * rounds take turns between them in short slices, so that a change in the machine's load hits the
 * baseline and the others alike. Each round gives a ratio setup/baseline; the report is the median ratio
 * and its quartiles over the rounds. Same workloads as {@link ObservabilityBenchmark} (in process, one
 * {@code publish(...).subscribe()} per message) and {@link TcpObservabilityBenchmark} (a node on loopback,
 * batches of {@value TcpObservabilityBenchmark#BATCH} {@code tryPublish}).
 *
 * <pre>{@code
 * java -jar benchmarks/target/daak-benchmarks.jar observability          # 40 rounds of 3 x 250 ms, each workload
 * java -jar benchmarks/target/daak-benchmarks.jar observability 80 tcp   # 80 rounds, TCP only
 * }</pre>
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class ObservabilityPaired {

    private static final Observability[] SETUPS = {
        Observability.OFF,
        Observability.METRICS,
        Observability.METRICS_TRACING_UNSAMPLED,
        Observability.PASS_THROUGH,
        Observability.BARE
    };
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final int WARMUP_ROUNDS = 12;

    private ObservabilityPaired() {}

    /** One workload under one setup: does some work and says how many messages it moved. */
    private interface Workload extends AutoCloseable {
        /** Runs until the deadline; returns the messages moved. */
        long runUntil(long deadlineNanos);

        @Override
        void close();
    }

    /**
     * Runs the comparison.
     *
     * @param args the number of rounds (default 40), then optionally {@code local} or {@code tcp}
     */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        String only = args.length > 1 ? args[1] : "";
        System.out.println("load average before: " + loadAverage());
        if (!only.equals("tcp")) {
            run("in process", rounds, ObservabilityPaired::local);
        }
        if (!only.equals("local")) {
            run("TCP", rounds, ObservabilityPaired::tcp);
        }
        System.out.println("load average after: " + loadAverage());
    }

    private static void run(String name, int rounds, java.util.function.Function<Observability, Workload> factory) {
        List<Workload> workloads = new ArrayList<>();
        try {
            for (Observability o : SETUPS) {
                workloads.add(factory.apply(o));
            }
            double[][] rates = new double[SETUPS.length][rounds];
            for (int r = -WARMUP_ROUNDS; r < rounds; r++) {
                for (int k = 0; k < SETUPS.length; k++) {
                    int s = Math.floorMod(r + k, SETUPS.length); // a different setup goes first each round
                    long start = System.nanoTime();
                    long moved = workloads.get(s).runUntil(start + SLICE_NANOS);
                    double rate = moved * 1e3 / (System.nanoTime() - start);
                    if (r >= 0) {
                        rates[s][r] = rate;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%s, %d rounds of %d ms per setup (msgs/us, median):%n", name, rounds, 250);
            System.out.printf(Locale.ROOT, "  %-28s %8.3f%n", SETUPS[0], median(rates[0]));
            for (int s = 1; s < SETUPS.length; s++) {
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = rates[s][r] / rates[0][r];
                }
                Arrays.sort(ratios);
                System.out.printf(
                        Locale.ROOT,
                        "  %-28s %8.3f   ratio to %s: median %.3f (quartiles %.3f to %.3f)%n",
                        SETUPS[s],
                        median(rates[s]),
                        SETUPS[0],
                        ratios[rounds / 2],
                        ratios[rounds / 4],
                        ratios[rounds * 3 / 4]);
            }
        } finally {
            workloads.forEach(Workload::close);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** In process: an engine with the setup's interceptors, one subscriber, one publish per message. */
    private static Workload local(Observability o) {
        LocalOptions options = LocalOptions.defaults();
        for (var i : o.interceptors()) {
            options = options.interceptor(i);
        }
        Daak daak = Daak.local(options);
        Topic<String> topic = Topic.of("bench/observed", String.class);
        AtomicLong received = new AtomicLong();
        Disposable subscriber = daak.subscribe(topic).subscribe(m -> received.lazySet(received.get() + 1));
        return new Workload() {
            @Override
            public long runUntil(long deadlineNanos) {
                long n = 0;
                do {
                    for (int i = 0; i < 256; i++) {
                        daak.publish(topic, "a reading of 32 bytes, more or less")
                                .subscribe();
                    }
                    n += 256;
                } while (System.nanoTime() < deadlineNanos);
                return n;
            }

            @Override
            public void close() {
                subscriber.dispose();
                daak.close();
            }
        };
    }

    /** Over TCP: a node and two clients with the setup's interceptors, as in {@link TcpObservabilityBenchmark}. */
    private static Workload tcp(Observability o) {
        TcpObservabilityBenchmark.Hop hop = new TcpObservabilityBenchmark.Hop() {
            @Override
            Observability observability() {
                return o;
            }
        };
        hop.start();
        return new Workload() {
            @Override
            public long runUntil(long deadlineNanos) {
                long n = 0;
                do {
                    hop.batch();
                    n += TcpObservabilityBenchmark.BATCH;
                } while (System.nanoTime() < deadlineNanos);
                return n;
            }

            @Override
            public void close() {
                hop.stop();
            }
        };
    }
}
