package io.daak.benchmarks;

import io.daak.core.Daak;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
import reactor.core.publisher.Mono;

/**
 * In-process request/reply: one request answered per operation, each response taken synchronously
 * ({@code block()} returns at once because the handler answers on the caller's thread).
 *
 * <ul>
 *   <li>{@code directCall}: the baseline, calling the same handler function through Reactor,
 *       {@code Mono.just(x).flatMap(handler).block()}.
 *   <li>{@code daakRequest}: {@code daak.request(service, x).block()}: server lookup (round robin),
 *       request message with fields and timestamp, handler call, error mapping, response type check.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RequestReplyBenchmark {

    private final Function<Integer, Mono<Integer>> handler = x -> Mono.just(x + 1);
    private final Service<Integer, Integer> service = Service.of("bench/increment", Integer.class, Integer.class);
    private Daak daak = Daak.local();
    private final Integer request = 41;

    /** Starts the engine and serves the handler. */
    @Setup(Level.Trial)
    public void setUp() {
        daak = Daak.local();
        daak.serve(service, ServiceHandler.requestReply(handler)).block();
    }

    /** Closes the engine. */
    @TearDown(Level.Trial)
    public void tearDown() {
        daak.close();
    }

    /**
     * The baseline: the handler called through Reactor without Daak.
     *
     * @param bh consumes the response
     */
    @Benchmark
    public void directCall(Blackhole bh) {
        bh.consume(Mono.just(request).flatMap(handler).block());
    }

    /**
     * Daak request/reply.
     *
     * @param bh consumes the response
     */
    @Benchmark
    public void daakRequest(Blackhole bh) {
        bh.consume(daak.request(service, request).block());
    }
}
