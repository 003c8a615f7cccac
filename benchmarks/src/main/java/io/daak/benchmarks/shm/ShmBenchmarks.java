package io.daak.benchmarks.shm;

import io.daak.benchmarks.shm.Measures.Rate;
import io.daak.benchmarks.shm.Measures.RoundTrips;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared-memory benchmarks, two JVM processes each, every baseline in the same run, one after the
 * other so that at most two threads are busy at a time:
 *
 * <ol>
 *   <li>{@code rsocket}: rsocket-java over shm-flux against rsocket-java over TCP loopback, the same code
 *       ({@link RSocketShmVsTcp}): request-stream message rate and request-response round trip for
 *       payloads of 64 B, 1 KiB, 64 KiB, 1 MiB and 16 MiB (64 B short: the largest unfragmented frame);
 *   <li>{@code channel}: the raw {@link io.daak.shm.ShmChannel} against Aeron IPC (embedded driver,
 *       SHARED threading) with the same message size and count ({@link ChannelVsAeron}): one-way
 *       throughput and ping-pong for 64 B, 1 KiB and 64 KiB.
 * </ol>
 *
 * <pre>{@code
 * java -jar benchmarks/target/daak-benchmarks.jar shm                # everything (about 3 minutes)
 * java -jar benchmarks/target/daak-benchmarks.jar shm -quick         # a smoke run
 * java -jar benchmarks/target/daak-benchmarks.jar shm channel        # one section
 * }</pre>
 */
public final class ShmBenchmarks {

    private static final Logger log = LoggerFactory.getLogger(ShmBenchmarks.class);

    private static final List<String> SECTIONS = List.of("rsocket", "channel");

    /** Payload sizes of the RSocket comparison. */
    static final List<Integer> RSOCKET_SIZES = List.of(64, 1024, 64 * 1024, 1 << 20, RSocketShmVsTcp.LARGEST);

    /** Message sizes of the raw channel comparison. */
    static final List<Integer> CHANNEL_SIZES = List.of(64, 1024, 64 * 1024);

    /** Message sizes of the zero-copy loan ping-pong. */
    static final List<Integer> LOAN_SIZES = List.of(1024, 1 << 20, 16 << 20);

    /**
     * A system property naming the payload sizes to run instead of the standard ones, comma-separated
     * bytes, e.g. {@code -Ddaak.bench.sizes=64,1024} (for profiling one size).
     */
    static final String SIZES = "daak.bench.sizes";

    private ShmBenchmarks() {}

    /**
     * How long and how much each benchmark runs.
     *
     * @param warmup before each measurement
     * @param warmupMax the longest the RSocket rates' warm-up goes on while a JVM still compiles
     * @param measure each rate and round-trip measurement
     * @param channelBytes bytes of a raw-channel stream (at most 5 million messages)
     * @param rsocketSizes payload sizes of the RSocket comparison
     * @param channelSizes message sizes of the raw-channel comparison
     * @param loanSizes message sizes of the zero-copy loan ping-pong
     */
    record Settings(
            Duration warmup,
            Duration warmupMax,
            Duration measure,
            long channelBytes,
            List<Integer> rsocketSizes,
            List<Integer> channelSizes,
            List<Integer> loanSizes) {

        /** The full run. */
        static final Settings FULL = new Settings(
                Duration.ofSeconds(2),
                Duration.ofSeconds(20),
                Duration.ofSeconds(3),
                2L << 30,
                RSOCKET_SIZES,
                CHANNEL_SIZES,
                LOAN_SIZES);

        /** A smoke run. */
        static final Settings QUICK = new Settings(
                Duration.ofMillis(300),
                Duration.ofMillis(300),
                Duration.ofMillis(500),
                200L << 20,
                RSOCKET_SIZES,
                CHANNEL_SIZES,
                LOAN_SIZES);

        long channelMessages(int size) {
            return Math.max(100, Math.min(5_000_000, channelBytes / size));
        }
    }

    /** Everything one run measured. */
    static final class Report {
        final List<Rate> rates = new ArrayList<>();
        final List<RoundTrips> roundTrips = new ArrayList<>();
    }

    /**
     * Runs the shared-memory benchmarks and prints the report.
     *
     * @param args {@code -quick} and/or section names ({@code rsocket}, {@code channel}); none means both
     * @throws Exception when a benchmark fails (also when a message was lost)
     */
    public static void main(String[] args) throws Exception {
        io.daak.benchmarks.Harness.Args parsed = io.daak.benchmarks.Harness.args("shm", args, SECTIONS);
        boolean quick = parsed.quick();
        List<String> sections = parsed.sections();
        Settings settings = quick ? Settings.QUICK : Settings.FULL;
        String only = System.getProperty(SIZES, "").trim();
        if (!only.isEmpty()) {
            List<Integer> sizes = java.util.Arrays.stream(only.split(","))
                    .map(String::trim)
                    .map(Integer::valueOf)
                    .toList();
            settings = new Settings(
                    settings.warmup(),
                    settings.warmupMax(),
                    settings.measure(),
                    settings.channelBytes(),
                    sizes,
                    sizes,
                    sizes);
        }
        long start = System.nanoTime();
        Report report = run(settings, sections, log::info);
        System.out.println(format(report));
        System.out.printf(
                Locale.ROOT,
                "(%s, %d CPUs, %s; whole run %.0f s)%n",
                LocalDate.now(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                (System.nanoTime() - start) / 1e9);
        System.exit(0);
    }

    /** Runs the given sections; {@code progress} hears each figure as it is measured. */
    static Report run(Settings s, List<String> sections, java.util.function.Consumer<String> progress)
            throws Exception {
        Report report = new Report();
        Path dir = Files.createTempDirectory("daak-shm-bench");
        try {
            if (sections.contains("rsocket")) {
                try (RSocketShmVsTcp bench = RSocketShmVsTcp.start(dir.resolve("rsocket.sock"))) {
                    for (int size : s.rsocketSizes()) {
                        for (Rate rate : bench.rates(size, s.warmup(), s.warmupMax(), s.measure())) {
                            progress.accept(rate.toString());
                            report.rates.add(rate);
                        }
                        for (RSocketShmVsTcp.Transport t : RSocketShmVsTcp.Transport.values()) {
                            RoundTrips rtt = bench.pingPong(t, size, s.warmup(), s.measure());
                            progress.accept(
                                    rtt.system() + " " + Measures.size(size) + " p50 " + rtt.micros(50) + " us");
                            report.roundTrips.add(rtt);
                        }
                    }
                }
            }
            if (sections.contains("channel")) {
                try (ChannelVsAeron.Shm shm = new ChannelVsAeron.Shm(dir.resolve("channel.sock"))) {
                    for (int size : s.channelSizes()) {
                        long count = s.channelMessages(size);
                        shm.stream(size, Math.max(100, count / 5));
                        report.rates.add(shm.stream(size, count));
                        report.roundTrips.add(shm.pingPong(size, false, s.warmup(), s.measure()));
                        progress.accept(
                                report.rates.get(report.rates.size() - 1).toString());
                    }
                    for (int size : s.loanSizes()) {
                        report.roundTrips.add(shm.pingPong(size, true, s.warmup(), s.measure()));
                    }
                }
                try (ChannelVsAeron.FastShm fast = new ChannelVsAeron.FastShm(dir.resolve("fast.sock"))) {
                    measure(fast, s, report, progress);
                }
                try (ChannelVsAeron.Ipc aeron = new ChannelVsAeron.Ipc(dir.resolve("aeron"))) {
                    measure(aeron, s, report, progress);
                }
            }
        } finally {
            deleteTree(dir);
        }
        return report;
    }

    /** A channel's figures at every channel size: a warm-up stream, the measured stream, the ping-pong. */
    private static void measure(
            ChannelVsAeron.Channel channel, Settings s, Report report, java.util.function.Consumer<String> progress)
            throws Exception {
        for (int size : s.channelSizes()) {
            long count = s.channelMessages(size);
            channel.stream(size, Math.max(100, count / 5));
            Rate rate = channel.stream(size, count);
            report.rates.add(rate);
            report.roundTrips.add(channel.pingPong(size, s.warmup(), s.measure()));
            progress.accept(rate.toString());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The report: one table per comparison, with the ratios against the targets. */
    static String format(Report r) {
        StringBuilder b = new StringBuilder();
        table(
                b,
                r,
                "RSocket over shm vs RSocket over TCP loopback (rsocket-java, same code, two processes)",
                "RSocket over shm",
                "RSocket over TCP",
                "TCP");
        table(
                b,
                r,
                "Raw ShmChannel vs Aeron IPC (embedded driver, SHARED threading; two processes)",
                ChannelVsAeron.SHM,
                ChannelVsAeron.AERON,
                "Aeron");
        table(
                b,
                r,
                "ShmChannel fast path (tryOffer from a reused buffer, receiveBatches read in place) vs Aeron IPC",
                ChannelVsAeron.FAST,
                ChannelVsAeron.AERON,
                "Aeron");
        loans(b, r);
        return b.toString();
    }

    /** The loan ping-pong beside the smallest loan's and RSocket over TCP's round trip of the same size. */
    private static void loans(StringBuilder b, Report r) {
        List<RoundTrips> loans = r.roundTrips.stream()
                .filter(x -> x.system().equals(ChannelVsAeron.LOANS))
                .toList();
        if (loans.isEmpty()) {
            return;
        }
        RoundTrips smallest = loans.get(0);
        b.append(
                "Zero-copy loans: ShmChannel ping-pong, each message a new loan with only its sequence number written\n");
        b.append(String.format(
                Locale.ROOT,
                "%-8s | %9s %9s | %14s | %15s %7s%n",
                "size",
                "p50",
                "p99",
                "p50 / " + Measures.size(smallest.size()),
                "RSocket TCP p50",
                "ratio"));
        for (RoundTrips l : loans) {
            RoundTrips tcp = r.roundTrips.stream()
                    .filter(x -> x.system().equals("RSocket over TCP")
                            && Measures.size(x.size()).equals(Measures.size(l.size())))
                    .findFirst()
                    .orElse(null);
            b.append(String.format(
                    Locale.ROOT,
                    "%-8s | %9s %9s | %14.2f | %15s %7s%n",
                    Measures.size(l.size()),
                    micros(l.micros(50)),
                    micros(l.micros(99)),
                    l.micros(50) / smallest.micros(50),
                    tcp == null ? "-" : micros(tcp.micros(50)),
                    tcp == null ? "-" : String.format(Locale.ROOT, "1/%.0f", tcp.micros(50) / l.micros(50))));
        }
        b.append("(round trips in µs; RSocket TCP: the request-response round trip of the same size above)\n\n");
    }

    private static void table(StringBuilder b, Report r, String title, String daak, String baseline, String base) {
        List<Integer> sizes = r.rates.stream()
                .filter(x -> x.system().equals(daak))
                .map(Rate::size)
                .distinct()
                .toList();
        if (sizes.isEmpty()) {
            return;
        }
        b.append(title).append('\n');
        b.append(String.format(
                Locale.ROOT,
                "%-8s | %12s %12s %7s | %9s %9s | %9s %9s %7s | %9s %9s %7s%n",
                "size",
                "msgs/s shm",
                "msgs/s " + base,
                "ratio",
                "MB/s shm",
                "MB/s " + base,
                "p50 shm",
                "p50 " + base,
                "ratio",
                "p99 shm",
                "p99 " + base,
                "ratio"));
        for (int size : sizes) {
            Rate d = find(r.rates, daak, size);
            Rate o = find(r.rates, baseline, size);
            RoundTrips dl = findRtt(r.roundTrips, daak, size);
            RoundTrips ol = findRtt(r.roundTrips, baseline, size);
            b.append(String.format(
                    Locale.ROOT,
                    "%-8s | %12.0f %12s %7s | %9.0f %9s | %9s %9s %7s | %9s %9s %7s%n",
                    Measures.size(size),
                    d.perSecond(),
                    o == null ? "-" : String.format(Locale.ROOT, "%.0f", o.perSecond()),
                    o == null ? "-" : String.format(Locale.ROOT, "%.2fx", d.perSecond() / o.perSecond()),
                    d.megabytesPerSecond(),
                    o == null ? "-" : String.format(Locale.ROOT, "%.0f", o.megabytesPerSecond()),
                    dl == null ? "-" : micros(dl.micros(50)),
                    ol == null ? "-" : micros(ol.micros(50)),
                    dl == null || ol == null ? "-" : String.format(Locale.ROOT, "%.2f", dl.micros(50) / ol.micros(50)),
                    dl == null ? "-" : micros(dl.micros(99)),
                    ol == null ? "-" : micros(ol.micros(99)),
                    dl == null || ol == null
                            ? "-"
                            : String.format(Locale.ROOT, "%.2f", dl.micros(99) / ol.micros(99))));
        }
        b.append("(msgs/s ratio = shm / ")
                .append(base)
                .append(", higher is better; round trips in µs, ratio = shm / ")
                .append(base)
                .append(", lower is better)\n\n");
    }

    private static String micros(double us) {
        if (us >= 1000) {
            return String.format(Locale.ROOT, "%.2f ms", us / 1000);
        }
        return String.format(Locale.ROOT, us < 10 ? "%.2f" : "%.1f", us);
    }

    private static @Nullable Rate find(List<Rate> rates, String system, int size) {
        return rates.stream()
                .filter(x -> x.system().equals(system) && x.size() == size)
                .findFirst()
                .orElse(null);
    }

    private static @Nullable RoundTrips findRtt(List<RoundTrips> rtts, String system, int size) {
        return rtts.stream()
                .filter(x -> x.system().equals(system) && x.size() == size)
                .findFirst()
                .orElse(null);
    }
}
