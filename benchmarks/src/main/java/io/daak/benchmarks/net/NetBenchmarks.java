package io.daak.benchmarks.net;

import io.daak.benchmarks.Warmup;
import io.nats.client.Nats;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network benchmarks, each beside its baseline in the same run, one after the other so that the
 * Daak node, the baseline server and the clients do not compete for the machine's cores:
 *
 * <ol>
 *   <li>{@code pubsub}: publish to subscribe throughput on loopback, 1 publisher to 1 and to 4
 *       subscribers, Daak ({@code tryPublish} and {@code publishAll}) against nats-server with jnats
 *       ({@link PubSubThroughput});
 *   <li>{@code reqrep}: sequential request/reply round trips, Daak through the node (two hops) and the
 *       node's own publish result (one hop) against bare rsocket-java (one hop) and NATS request/reply
 *       (two hops) ({@link RequestReplyLatency});
 *   <li>{@code memory}: the node's heap per connection and per subscription with 1,000 connections of
 *       10 subscriptions each ({@link NodeMemory}).
 * </ol>
 *
 * <p>The Daak node and the bare RSocket echo server run in a child JVM ({@link NetServer}),
 * nats-server in its own process, the clients in this JVM. Without nats-server the NATS rows are
 * skipped with a message.
 *
 * <pre>{@code
 * java -jar benchmarks/target/daak-benchmarks.jar net                 # everything (about 2 minutes)
 * java -jar benchmarks/target/daak-benchmarks.jar net -quick          # a smoke run (about 30 s)
 * java -jar benchmarks/target/daak-benchmarks.jar net pubsub reqrep   # some of them
 * }</pre>
 */
public final class NetBenchmarks {

    private static final Logger log = LoggerFactory.getLogger(NetBenchmarks.class);

    private static final List<String> SECTIONS = List.of("pubsub", "reqrep", "memory");

    private NetBenchmarks() {}

    /**
     * How long and how big each benchmark runs.
     *
     * @param pubsubWarmup publishing before the measurement
     * @param pubsubMeasure publishing in the measurement
     * @param maxMessages messages published at most in a warm-up or a measurement
     * @param requestWarmup round trips before the measurement
     * @param requestMeasure round trips measured
     * @param warmupMax the longest a warm-up goes on while a JVM's JIT is still compiling ({@link Warmup})
     * @param connections connections of the memory benchmark
     * @param subscriptionsPerConnection subscriptions per connection of the memory benchmark
     */
    record Settings(
            Duration pubsubWarmup,
            Duration pubsubMeasure,
            long maxMessages,
            Duration requestWarmup,
            Duration requestMeasure,
            Duration warmupMax,
            int connections,
            int subscriptionsPerConnection) {

        /** The full run. */
        static final Settings FULL = new Settings(
                Duration.ofSeconds(4),
                Duration.ofSeconds(5),
                Long.MAX_VALUE,
                Duration.ofSeconds(3),
                Duration.ofSeconds(4),
                Duration.ofSeconds(30),
                1000,
                10);

        /** A smoke run. */
        static final Settings QUICK = new Settings(
                Duration.ofMillis(500),
                Duration.ofMillis(700),
                Long.MAX_VALUE,
                Duration.ofMillis(300),
                Duration.ofMillis(500),
                Duration.ofMillis(300),
                100,
                10);
    }

    /** Everything one run measured; what did not run is empty or null. */
    static final class Report {
        final List<PubSubThroughput.Result> pubsub = new ArrayList<>();
        final List<RequestReplyLatency.Result> requests = new ArrayList<>();

        NodeMemory.@Nullable Result memory;

        @Nullable
        String natsVersion;

        final List<String> notes = new ArrayList<>();
    }

    /**
     * Runs the network benchmarks and prints the report.
     *
     * @param args {@code -quick} and/or section names ({@code pubsub}, {@code reqrep}, {@code memory});
     *     none means all
     * @throws Exception when a benchmark fails
     */
    public static void main(String[] args) throws Exception {
        io.daak.benchmarks.Harness.Args parsed = io.daak.benchmarks.Harness.args("net", args, SECTIONS);
        boolean quick = parsed.quick();
        List<String> sections = parsed.sections();
        long start = System.nanoTime();
        Report report = run(quick ? Settings.QUICK : Settings.FULL, sections, true);
        System.out.println();
        System.out.println(format(report, quick ? Settings.QUICK : Settings.FULL));
        System.out.printf(Locale.ROOT, "(whole run %.0f s)%n", (System.nanoTime() - start) / 1e9);
        System.exit(0);
    }

    /**
     * Runs the sections; {@code nats} false skips the NATS baseline. The node's JVM and nats-server run
     * side by side, and the systems compared take turns (see {@link PubSubThroughput#runTakingTurns}).
     */
    static Report run(Settings s, List<String> sections, boolean nats) throws Exception {
        Report report = new Report();
        boolean pubsub = sections.contains("pubsub");
        boolean reqrep = sections.contains("reqrep");
        if (pubsub || reqrep) {
            String missing = NatsServer.missing();
            if (!nats) {
                report.notes.add("NATS baseline not run");
            } else if (missing != null) {
                log.warn("{}", missing);
                report.notes.add(missing);
            }
            try (ServerProcess server = ServerProcess.start();
                    NatsServer natsServer = nats && missing == null ? NatsServer.start() : null) {
                Run run = new Run(report, s, server::compileMillis);
                long node = server.pid();
                String uri = server.daakUri() + System.getProperty("daak.bench.uriSuffix", "");
                if (natsServer != null) {
                    report.natsVersion = natsServer.version();
                }
                if (pubsub) {
                    for (int n : new int[] {1, 4}) {
                        List<PubSubThroughput.Named> systems = new ArrayList<>(List.of(
                                new PubSubThroughput.Named(
                                        "Daak tryPublish (fire-and-forget)",
                                        node,
                                        PubSubThroughput.daakTryPublish(uri)),
                                new PubSubThroughput.Named(
                                        "Daak publishAll (request-channel)",
                                        node,
                                        PubSubThroughput.daakPublishAll(uri))));
                        if (natsServer != null) {
                            systems.add(new PubSubThroughput.Named(
                                    "NATS publish", natsServer.pid(), PubSubThroughput.nats(natsServer.url())));
                        }
                        run.pubsub(systems, n);
                    }
                }
                if (reqrep) {
                    List<RequestReplyLatency.Named> targets = new ArrayList<>(List.of(
                            new RequestReplyLatency.Named(
                                    "bare RSocket request-response",
                                    1,
                                    node,
                                    RequestReplyLatency.rsocket(server.rsocketPort(), false)),
                            new RequestReplyLatency.Named(
                                    "bare RSocket, resumable session",
                                    1,
                                    node,
                                    RequestReplyLatency.rsocket(server.rsocketPort(), true)),
                            new RequestReplyLatency.Named(
                                    "Daak publish (node answers)", 1, node, RequestReplyLatency.daakPublish(uri)),
                            new RequestReplyLatency.Named(
                                    "Daak publish, no resumption",
                                    1,
                                    node,
                                    RequestReplyLatency.daakPublish(withoutResumption(uri))),
                            new RequestReplyLatency.Named(
                                    "Daak request (client-served)", 2, node, RequestReplyLatency.daakRequest(uri))));
                    if (natsServer != null) {
                        targets.add(new RequestReplyLatency.Named(
                                "NATS request/reply", 2, natsServer.pid(), RequestReplyLatency.nats(natsServer.url())));
                    }
                    run.reqrep(targets);
                }
            }
        }
        if (sections.contains("memory")) {
            report.memory = NodeMemory.run(s.connections(), s.subscriptionsPerConnection());
            log.info("memory: done");
        }
        return report;
    }

    /** The URI with {@code resume=false} added (the client then asks for no resumable session). */
    static String withoutResumption(String uri) {
        return uri + (uri.contains("?") ? "&" : "?") + "resume=false";
    }

    /** Measurements, added to the report as they finish; {@code serverJit} is the node JVM's compile time. */
    private record Run(Report report, Settings s, java.util.function.LongSupplier serverJit) {
        void pubsub(List<PubSubThroughput.Named> systems, int subscribers) throws Exception {
            List<PubSubThroughput.Named> chosen = systems.stream()
                    .filter(t -> selected(t.system() + " " + subscribers))
                    .toList();
            if (chosen.isEmpty()) {
                return;
            }
            for (PubSubThroughput.Result r : PubSubThroughput.runTakingTurns(
                    chosen, subscribers, warmup(s.pubsubWarmup()), s.pubsubMeasure(), s.maxMessages())) {
                report.pubsub.add(progress(r));
            }
        }

        void reqrep(List<RequestReplyLatency.Named> targets) throws Exception {
            List<RequestReplyLatency.Named> chosen =
                    targets.stream().filter(t -> selected(t.system())).toList();
            if (chosen.isEmpty()) {
                return;
            }
            for (RequestReplyLatency.Result r : RequestReplyLatency.runTakingTurns(
                    chosen, warmup(s.requestWarmup()), s.requestMeasure().multipliedBy(chosen.size()))) {
                report.requests.add(progress(r));
            }
        }

        private Warmup warmup(Duration minimum) {
            return new Warmup(minimum, minimum.compareTo(s.warmupMax()) > 0 ? minimum : s.warmupMax(), serverJit);
        }
    }

    /**
     * Whether a case runs: all of them unless {@code -Ddaak.bench.only=REGEX} is given, which a case's
     * name (e.g. {@code "Daak tryPublish (fire-and-forget) 1"}, {@code "NATS publish 4"}) must contain
     * a match of (for profiling one case).
     */
    private static boolean selected(String name) {
        return ONLY == null || ONLY.matcher(name).find();
    }

    private static final java.util.regex.@org.jspecify.annotations.Nullable Pattern ONLY =
            System.getProperty("daak.bench.only") == null
                    ? null
                    : java.util.regex.Pattern.compile(System.getProperty("daak.bench.only"));

    private static PubSubThroughput.Result progress(PubSubThroughput.Result r) {
        log.info(String.format(
                Locale.ROOT,
                "pubsub: %-36s subscribers %d: %,.0f msgs/s (%,d messages in %.2f s)",
                r.system(),
                r.subscribers(),
                r.messagesPerSecond(),
                r.messages(),
                r.seconds()));
        return r;
    }

    private static RequestReplyLatency.Result progress(RequestReplyLatency.Result r) {
        log.info(String.format(
                Locale.ROOT,
                "reqrep: %-36s p50 %.1f us, p99 %.1f us (%,d round trips)",
                r.system(),
                r.micros(50),
                r.micros(99),
                r.histogram().getTotalCount()));
        return r;
    }

    /** The report as text tables with the ratios. */
    static String format(Report r, Settings s) {
        StringBuilder b = new StringBuilder();
        b.append("Network benchmarks, loopback TCP, ")
                .append(PubSubThroughput.PAYLOAD)
                .append("-byte payloads\n");
        b.append(String.format(
                Locale.ROOT,
                "conditions: %d CPUs, Java %s (%s); Daak node and bare RSocket server in a child JVM (%s),"
                        + " clients in this JVM; %s, jnats %s; the systems compared take turns%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                String.join(" ", ServerProcess.JVM_OPTIONS),
                r.natsVersion != null ? r.natsVersion : "nats-server not run",
                jnatsVersion()));
        if (!r.pubsub.isEmpty()) {
            b.append(String.format(
                    Locale.ROOT,
                    "%nPublish -> subscribe: the systems take turns of at most %.0f s (the order rotating); warm-up"
                            + " at least %.1f s each and on while a JIT compiles (at most %.0f s), measured %.1f s each;"
                            + " publisher at most %,d messages ahead of the slowest subscriber%n",
                    PubSubThroughput.TURN.toMillis() / 1e3,
                    s.pubsubWarmup().toMillis() / 1e3,
                    s.warmupMax().toMillis() / 1e3,
                    s.pubsubMeasure().toMillis() / 1e3,
                    PubSubThroughput.WINDOW));
            b.append(String.format(
                    Locale.ROOT,
                    "%-36s %4s %12s %13s %9s   %s%n",
                    "system",
                    "subs",
                    "msgs/s",
                    "deliveries/s",
                    "Daak/NATS",
                    "CPUs busy: clients + server (+ other processes); CPU us per message"));
            for (PubSubThroughput.Result p : r.pubsub) {
                PubSubThroughput.Result nats = r.pubsub.stream()
                        .filter(q -> q.system().startsWith("NATS") && q.subscribers() == p.subscribers())
                        .findFirst()
                        .orElse(null);
                String ratio = nats == null || p == nats
                        ? ""
                        : String.format(Locale.ROOT, "%.2f", p.messagesPerSecond() / nats.messagesPerSecond());
                CpuMeter.Usage cpu = p.cpu();
                b.append(String.format(
                        Locale.ROOT,
                        "%-36s %4d %,12.0f %,13.0f %9s   %.2f + %.2f (+ %.2f); %.2f%n",
                        p.system(),
                        p.subscribers(),
                        p.messagesPerSecond(),
                        p.deliveriesPerSecond(),
                        ratio,
                        cpu.self(),
                        cpu.server(),
                        cpu.others(),
                        (cpu.self() + cpu.server()) * 1e6 / p.messagesPerSecond()));
            }
        }
        if (!r.requests.isEmpty()) {
            b.append(String.format(
                    Locale.ROOT,
                    "%nRequest/reply round trip, one in flight: warm-up at least %.1f s and on while a JIT compiles"
                            + " (at most %.0f s), measured %.1f s each (microseconds); the targets take turns"
                            + " (%d round trips each, the order rotating, each turn on the next of a target's %d connections), each one's CPU columns its own turns'%n",
                    s.requestWarmup().toMillis() / 1e3,
                    s.warmupMax().toMillis() / 1e3,
                    s.requestMeasure().toMillis() / 1e3,
                    RequestReplyLatency.TURN,
                    RequestReplyLatency.INSTANCES));
            RequestReplyLatency.Result rsocket = find(r.requests, "bare RSocket");
            RequestReplyLatency.Result nats = find(r.requests, "NATS");
            b.append(String.format(
                    Locale.ROOT,
                    "%-32s %4s %8s %8s %8s %8s %8s %9s %11s %9s   %s%n",
                    "system",
                    "hops",
                    "p50",
                    "p90",
                    "p99",
                    "p99.9",
                    "mean",
                    "req/s",
                    "p50/RSocket",
                    "p50/NATS",
                    "CPUs busy: clients + server (+ other)"));
            for (RequestReplyLatency.Result q : r.requests) {
                b.append(String.format(
                        Locale.ROOT,
                        "%-32s %4d %8.1f %8.1f %8.1f %8.1f %8.1f %,9.0f %11s %9s   %.2f + %.2f (+ %.2f)%n",
                        q.system(),
                        q.hops(),
                        q.micros(50),
                        q.micros(90),
                        q.micros(99),
                        q.micros(99.9),
                        q.meanMicros(),
                        q.perSecond(),
                        ratio(q, rsocket),
                        ratio(q, nats),
                        q.cpu().self(),
                        q.cpu().server(),
                        q.cpu().others()));
            }
        }
        NodeMemory.Result m = r.memory;
        if (m != null) {
            b.append(String.format(
                    Locale.ROOT,
                    "%nNode memory (fresh node in a child JVM, used heap after full GC): %,d connections x %d"
                            + " subscriptions%n",
                    m.connections(),
                    m.perConnection()));
            b.append(String.format(
                    Locale.ROOT,
                    "%-34s %12s %12s %8s %12s%n",
                    "state",
                    "heap MiB",
                    "direct MiB",
                    "threads",
                    "RSS MiB"));
            row(b, "probe client only", m.empty());
            row(b, m.connections() + " connections", m.connected());
            row(b, "+ " + m.perConnection() + " subscriptions each", m.subscribed());
            b.append(String.format(
                    Locale.ROOT,
                    "heap per connection %,.0f B, per subscription %,.0f B, per connection with its subscriptions"
                            + " %,.0f B; Netty direct memory per connection %,.0f B; RSS per connection with"
                            + " subscriptions %,.0f B%n",
                    m.heapPerConnection(),
                    m.heapPerSubscription(),
                    m.heapPerConnectionWithSubscriptions(),
                    m.directPerConnection(),
                    m.residentPerConnectionWithSubscriptions()));
        }
        for (String note : r.notes) {
            b.append("note: ").append(note).append('\n');
        }
        return b.toString();
    }

    /** The pinned jnats version, from the build (the shaded jar has no jnats manifest). */
    static String jnatsVersion() {
        Properties p = new Properties();
        try (InputStream in = NetBenchmarks.class.getResourceAsStream("versions.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return Nats.CLIENT_VERSION;
        }
        return p.getProperty("jnats", Nats.CLIENT_VERSION);
    }

    private static void row(StringBuilder b, String state, ServerProcess.Heap h) {
        b.append(String.format(
                Locale.ROOT,
                "%-34s %12.1f %12.1f %8d %12.1f%n",
                state,
                h.usedHeap() / 1048576.0,
                h.direct() / 1048576.0,
                h.threads(),
                h.resident() / 1048576.0));
    }

    private static RequestReplyLatency.@Nullable Result find(List<RequestReplyLatency.Result> all, String prefix) {
        return all.stream()
                .filter(q -> q.system().startsWith(prefix))
                .findFirst()
                .orElse(null);
    }

    private static String ratio(RequestReplyLatency.Result q, RequestReplyLatency.@Nullable Result baseline) {
        return baseline == null || baseline == q
                ? ""
                : String.format(Locale.ROOT, "%.2f", q.micros(50) / baseline.micros(50));
    }
}
