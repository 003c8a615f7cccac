package io.daak.benchmarks.tracing;

import io.daak.core.Daak;
import io.daak.core.LocalOptions;
import io.daak.core.Publication;
import io.daak.core.Topic;
import io.daak.rsocket.DaakNode;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Publish -> subscribe over TCP through a node on loopback, in batches of {@value #BATCH} messages
 * ({@code tryPublish}, fire-and-forget, then waiting, parked, until the subscriber has them all): the node's engine and both
 * clients run the metrics and tracing interceptors; {@code registryOff} is the baseline with the same
 * interceptors and the registries off. Scores are messages per microsecond.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 5, time = 2)
public class TcpObservabilityBenchmark {

    static final int BATCH = 512;

    /** How long the benchmark thread sleeps between looks at the subscriber's count. */
    private static final long WAIT_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

    /** A node, a publishing and a subscribing client, all with one setup's interceptors. */
    abstract static class Hop {
        private final Topic<String> topic = Topic.of("bench/tcp", String.class);
        private final AtomicLong received = new AtomicLong();
        private DaakNode node;
        private Daak publisher;
        private Publication<String> publication;
        private Daak subscriber;
        private Disposable subscription;
        private long expected;

        abstract Observability observability();

        /** Starts the node and the clients, and waits until the subscription is in place. */
        @Setup(Level.Trial)
        public void start() {
            LocalOptions engine = LocalOptions.defaults();
            for (var i : observability().interceptors()) {
                engine = engine.interceptor(i);
            }
            node = DaakNode.builder()
                    .host("127.0.0.1")
                    .tcpPort(0)
                    .noWebSocket()
                    .engine(engine)
                    .start();
            publisher = Daak.intercepted(
                    Daak.connect(node.tcpUri().toString()), observability().interceptors());
            subscriber = Daak.intercepted(
                    Daak.connect(node.tcpUri().toString()), observability().interceptors());
            subscription = subscriber.subscribe(topic).subscribe(m -> received.incrementAndGet());
            Flux.interval(Duration.ofMillis(5))
                    .onBackpressureDrop()
                    .concatMap(i -> publisher.publish(topic, "probe"))
                    .takeUntil(p -> p.matched() >= 1)
                    .blockLast(Duration.ofSeconds(10));
            expected = received.get();
            publication = publisher.publication(topic);
        }

        /** Closes everything. */
        @TearDown(Level.Trial)
        public void stop() {
            subscription.dispose();
            publisher.close();
            subscriber.close();
            node.close();
        }

        void batch() {
            for (int i = 0; i < BATCH; i++) {
                if (publication.tryPublish("a reading of 32 bytes, more or less")) {
                    expected++;
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received.get() < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the subscriber received " + received.get() + " of " + expected);
                }
                // Parked, not spinning: on a small machine a spinning thread takes a core from the node and
                // the clients being measured.
                LockSupport.parkNanos(WAIT_NANOS);
            }
        }
    }

    /** Registries off. */
    @State(Scope.Benchmark)
    public static class Off extends Hop {
        @Override
        Observability observability() {
            return Observability.OFF;
        }
    }

    /** Metrics on. */
    @State(Scope.Benchmark)
    public static class Metrics extends Hop {
        @Override
        Observability observability() {
            return Observability.METRICS;
        }
    }

    /** Metrics on, tracing with sampling off. */
    @State(Scope.Benchmark)
    public static class Unsampled extends Hop {
        @Override
        Observability observability() {
            return Observability.METRICS_TRACING_UNSAMPLED;
        }
    }

    /**
     * The baseline.
     *
     * @param hop the setup
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void registryOff(Off hop) {
        hop.batch();
    }

    /**
     * Metrics on.
     *
     * @param hop the setup
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void metricsOn(Metrics hop) {
        hop.batch();
    }

    /**
     * Metrics on, tracing unsampled.
     *
     * @param hop the setup
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void metricsTracingUnsampled(Unsampled hop) {
        hop.batch();
    }
}
