package io.daak.benchmarks.tracing;

import com.sun.management.OperatingSystemMXBean;
import io.daak.core.Daak;
import io.daak.core.LocalOptions;
import io.daak.core.Topic;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 * and its quartiles over the rounds, for throughput and for CPU time per message (which other processes
 * disturb less: in process the publishing thread's own CPU time, over TCP the JVM's). Same workloads as {@link ObservabilityBenchmark} (in process, one
 * {@code publish(...).subscribe()} per message) and {@link TcpObservabilityBenchmark} (a node on loopback,
 * batches of {@value TcpObservabilityBenchmark#BATCH} {@code tryPublish}).
 *
 * <pre>{@code
 * java -jar benchmarks/target/daak-benchmarks.jar observability              # 100 rounds of 100 ms slices, both
 * java -jar benchmarks/target/daak-benchmarks.jar observability 200 tcp 50   # 200 rounds of 50 ms, TCP only
 * }</pre>
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class ObservabilityPaired {

    private static final Observability[] ALL = {
        Observability.OFF,
        Observability.METRICS,
        Observability.METRICS_TRACING_UNSAMPLED,
        Observability.PASS_THROUGH,
        Observability.BARE
    };
    private static final int WARMUP_ROUNDS = 12;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ObservabilityPaired() {}

    /** One workload under one setup: does some work and says how many messages it moved. */
    private interface Workload extends AutoCloseable {
        /** Runs until the deadline; returns the messages moved. */
        long runUntil(long deadlineNanos);

        /**
         * CPU time used so far by what this workload measures: the calling thread in process (it does all
         * the work), the whole JVM over TCP (the clients' and the node's threads; the other setups idle).
         */
        long cpuNanos();

        @Override
        void close();
    }

    /**
     * Runs the comparison.
     *
     * @param args the number of rounds (default 100), then optionally {@code local}, {@code tcp} or
     *     {@code all} (the default), then the slice in milliseconds (default 100), then the setups to run,
     *     comma-separated, the first being the baseline (default {@code OFF,METRICS,METRICS_TRACING_UNSAMPLED,
     *     PASS_THROUGH,BARE}); one setup alone measures it in a JVM of its own (its CPU time per message
     *     compares across runs, as other processes hardly change it)
     */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        String only = args.length > 1 ? args[1] : "all";
        long slice = TimeUnit.MILLISECONDS.toNanos(args.length > 2 ? Long.parseLong(args[2]) : 100);
        Observability[] setups = args.length > 3
                ? Arrays.stream(args[3].split(",")).map(Observability::valueOf).toArray(Observability[]::new)
                : ALL;
        System.out.println("load average before: " + loadAverage());
        if (!only.equals("tcp")) {
            run("in process", rounds, slice, setups, ObservabilityPaired::local);
        }
        if (!only.equals("local")) {
            run("TCP", rounds, slice, setups, ObservabilityPaired::tcp);
        }
        System.out.println("load average after: " + loadAverage());
    }

    private static void run(
            String name,
            int rounds,
            long slice,
            Observability[] setups,
            java.util.function.Function<Observability, Workload> factory) {
        List<Workload> workloads = new ArrayList<>();
        try {
            for (Observability o : setups) {
                workloads.add(factory.apply(o));
            }
            double[][] rates = new double[setups.length][rounds];
            double[][] cpu = new double[setups.length][rounds];
            for (int r = -WARMUP_ROUNDS; r < rounds; r++) {
                for (int k = 0; k < setups.length; k++) {
                    int s = Math.floorMod(r + k, setups.length); // a different setup goes first each round
                    Workload w = workloads.get(s);
                    long cpuStart = w.cpuNanos();
                    long start = System.nanoTime();
                    long moved = w.runUntil(start + slice);
                    long elapsed = System.nanoTime() - start;
                    if (r >= 0) {
                        rates[s][r] = moved * 1e3 / elapsed;
                        cpu[s][r] = (double) (w.cpuNanos() - cpuStart) / moved;
                    }
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "%s, %d rounds of %d ms per setup; medians, and paired ratios to %s (quartiles):%n",
                    name,
                    rounds,
                    TimeUnit.NANOSECONDS.toMillis(slice),
                    setups[0]);
            for (int s = 0; s < setups.length; s++) {
                System.out.printf(
                        Locale.ROOT,
                        "  %-26s %7.3f msgs/us  %s   %7.0f CPU ns/msg  %s%n",
                        setups[s],
                        median(rates[s]),
                        s == 0 ? "                        " : pairedRatio(rates[s], rates[0]),
                        median(cpu[s]),
                        s == 0 ? "" : pairedRatio(cpu[s], cpu[0]));
            }
        } finally {
            workloads.forEach(Workload::close);
        }
    }

    /** The median of the per-round ratios a/b, with the quartiles. */
    private static String pairedRatio(double[] a, double[] b) {
        double[] ratios = new double[a.length];
        for (int r = 0; r < a.length; r++) {
            ratios[r] = a[r] / b[r];
        }
        Arrays.sort(ratios);
        int n = ratios.length;
        return String.format(Locale.ROOT, "x%.3f (%.3f-%.3f)", ratios[n / 2], ratios[n / 4], ratios[n * 3 / 4]);
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
            public long cpuNanos() {
                return THREADS.getCurrentThreadCpuTime();
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
            public long cpuNanos() {
                return OS.getProcessCpuTime();
            }

            @Override
            public void close() {
                hop.stop();
            }
        };
    }
}
