package io.daak.benchmarks;

import io.daak.core.Daak;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.Publication;
import io.daak.core.Topic;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;

/**
 * In-process publish to subscribe: one message published per operation and delivered to every
 * exact-topic subscriber, which consumes it into a {@link Blackhole} with unbounded demand.
 *
 * <ul>
 *   <li>{@code rawSink}: the baseline, {@code Sinks.many().multicast().directBestEffort()} and
 *       {@code tryEmitNext}: a hand-off with nothing else.
 *   <li>{@code daakTryPublish}: {@link Publication#tryPublish}, Daak's counterpart of
 *       {@code tryEmitNext}: sequence number, timestamp, retention of the latest value, overflow
 *       policy per subscriber.
 *   <li>{@code daakTryPublishCachedClock}: the same with {@code LocalOptions.cachedClock(true)}:
 *       timestamps of millisecond resolution from a clock a daemon thread refreshes, instead of a
 *       clock read per message.
 *   <li>{@code daakPublishMono}: {@code daak.publish(topic, value).subscribe()}, the plain reactive
 *       call, which adds a {@code Mono} and its subscription per message.
 * </ul>
 *
 * <p>Each subscriber counts what it received; tear-down fails the run if anything was lost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PubSubBenchmark {

    /** Subscribers of the topic. */
    @Param({"1", "4"})
    public int subscribers;

    private final Object value = new Object();
    private final AtomicLong published = new AtomicLong();
    private long[] received = new long[0];

    private Sinks.Many<Object> sink = Sinks.many().multicast().directBestEffort();
    private Daak daak = Daak.local();
    private Topic<Object> topic = Topic.of("bench/pubsub", Object.class);
    private Publication<Object> publication = daak.publication(topic);
    private Daak cachedClockDaak = Daak.local();
    private Publication<Object> cachedClockPublication = cachedClockDaak.publication(topic);
    private Disposable[] subs = new Disposable[0];

    /**
     * Sets up the sink and the engine with their subscribers.
     *
     * @param bh where subscribers put what they receive
     */
    @Setup(Level.Iteration)
    public void setUp(Blackhole bh) {
        published.set(0);
        received = new long[subscribers];
        subs = new Disposable[subscribers * 3];
        sink = Sinks.many().multicast().directBestEffort();
        daak = Daak.local();
        topic = Topic.of("bench/pubsub", Object.class);
        publication = daak.publication(topic);
        cachedClockDaak = Daak.local(LocalOptions.defaults().cachedClock(true));
        cachedClockPublication = cachedClockDaak.publication(topic);
        for (int i = 0; i < subscribers; i++) {
            int n = i;
            subs[3 * i] = sink.asFlux().subscribe(v -> {
                received[n]++;
                bh.consume(v);
            });
            subs[3 * i + 1] = daak.subscribe(topic).subscribe((Message<Object> m) -> {
                received[n]++;
                bh.consume(m);
            });
            subs[3 * i + 2] = cachedClockDaak.subscribe(topic).subscribe((Message<Object> m) -> {
                received[n]++;
                bh.consume(m);
            });
        }
    }

    /** Checks that every subscriber received every message, then closes everything. */
    @TearDown(Level.Iteration)
    public void tearDown() {
        for (Disposable d : subs) {
            d.dispose();
        }
        daak.close();
        cachedClockDaak.close();
        for (long r : received) {
            if (r != published.get()) {
                throw new IllegalStateException("a subscriber received " + r + " of " + published.get()
                        + " messages: the benchmark lost messages");
            }
        }
    }

    /** The baseline: a raw Reactor sink hand-off. */
    @Benchmark
    public void rawSink() {
        if (sink.tryEmitNext(value).isSuccess()) {
            published.lazySet(published.get() + 1);
        }
    }

    /** Daak's synchronous publish. */
    @Benchmark
    public void daakTryPublish() {
        if (publication.tryPublish(value)) {
            published.lazySet(published.get() + 1);
        }
    }

    /** Daak's synchronous publish with the cached clock. */
    @Benchmark
    public void daakTryPublishCachedClock() {
        if (cachedClockPublication.tryPublish(value)) {
            published.lazySet(published.get() + 1);
        }
    }

    /** Daak's reactive publish, one Mono per message. */
    @Benchmark
    public void daakPublishMono() {
        daak.publish(topic, value).subscribe();
        published.lazySet(published.get() + 1);
    }
}
