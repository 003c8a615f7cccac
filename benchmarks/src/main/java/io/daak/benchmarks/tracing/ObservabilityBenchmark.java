package io.daak.benchmarks.tracing;

import io.daak.core.Daak;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.Topic;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.Disposable;

/**
 * In-process publish -> one subscriber, one {@code publish(...).subscribe()} per operation, with the
 * metrics and tracing interceptors in the engine. The baseline {@code registryOff} installs the same
 * interceptors with their registries off; the others turn metrics on, then tracing with sampling off
 * ({@code sampleProbability(0)}), tracing whose observations a registry predicate refuses, and tracing
 * with every span made.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ObservabilityBenchmark {

    private final Topic<String> topic = Topic.of("bench/observed", String.class);
    private final String value = "a reading of 32 bytes, more or less";
    private final Daak[] engines = new Daak[Observability.values().length];
    private final Disposable[] subscribers = new Disposable[engines.length];

    /**
     * One engine per setup, each with a subscriber.
     *
     * @param bh where the subscribers put what they receive
     */
    @Setup(Level.Iteration)
    public void setUp(Blackhole bh) {
        for (Observability o : Observability.values()) {
            LocalOptions options = LocalOptions.defaults();
            for (var i : o.interceptors()) {
                options = options.interceptor(i);
            }
            Daak daak = Daak.local(options);
            engines[o.ordinal()] = daak;
            subscribers[o.ordinal()] = daak.subscribe(topic).subscribe((Message<String> m) -> bh.consume(m));
        }
    }

    /** Closes the engines. */
    @TearDown(Level.Iteration)
    public void tearDown() {
        for (int i = 0; i < engines.length; i++) {
            subscribers[i].dispose();
            engines[i].close();
        }
    }

    private void publish(Observability o) {
        engines[o.ordinal()].publish(topic, value).subscribe();
    }

    /** The baseline: the interceptors installed, registries off. */
    @Benchmark
    public void registryOff() {
        publish(Observability.OFF);
    }

    /** Metrics on. */
    @Benchmark
    public void metricsOn() {
        publish(Observability.METRICS);
    }

    /** Metrics on, tracing with sampling off. */
    @Benchmark
    public void metricsTracingUnsampled() {
        publish(Observability.METRICS_TRACING_UNSAMPLED);
    }

    /** Metrics on, tracing sampling everything but a registry predicate refusing every observation. */
    @Benchmark
    public void metricsTracingRefused() {
        publish(Observability.METRICS_TRACING_REFUSED);
    }

    /** Metrics on, a span per publish and per delivery. */
    @Benchmark
    public void metricsTracingAll() {
        publish(Observability.METRICS_TRACING_ALL);
    }
}
