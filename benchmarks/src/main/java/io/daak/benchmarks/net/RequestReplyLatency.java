package io.daak.benchmarks.net;

import io.daak.benchmarks.Warmup;
import io.daak.core.Daak;
import io.daak.core.Registration;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.daak.core.Topic;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.util.ByteBufPayload;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Mono;

/**
 * Sequential request/reply round trips over loopback with 128-byte requests and replies: one request
 * in flight at a time, each timed from the call to the reply in hand, into an HdrHistogram. Each
 * target is warmed up first (see {@link Warmup}). Not thread-safe.
 */
final class RequestReplyLatency {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private RequestReplyLatency() {}

    /** One client-side round trip. */
    interface Target extends AutoCloseable {
        /** Sends the request and waits for its reply. */
        void call(byte[] request) throws Exception;

        @Override
        void close();
    }

    /** Opens a target. */
    @FunctionalInterface
    interface TargetFactory {
        Target open() throws Exception;
    }

    /**
     * One measurement.
     *
     * @param system what ran
     * @param hops network hops each way
     * @param histogram round trips in nanoseconds
     * @param cpu CPUs in use during the measurement
     */
    record Result(String system, int hops, Histogram histogram, CpuMeter.Usage cpu) {
        double micros(double percentile) {
            return histogram.getValueAtPercentile(percentile) / 1e3;
        }

        double meanMicros() {
            return histogram.getMean() / 1e3;
        }

        double perSecond() {
            return 1e9 / histogram.getMean();
        }
    }

    /**
     * A target to measure.
     *
     * @param system its name in the report
     * @param hops network hops each way
     * @param serverPid its server's process, whose CPU time is measured
     * @param factory opens it
     */
    record Named(String system, int hops, long serverPid, TargetFactory factory) {}

    /** Round trips each target makes in its turn before the next target's turn. */
    static final int TURN = 64;

    /**
     * Instances (connections) of each target, used in turn, round after round. On this VM a
     * connection's round trips settle into a fast or a slow mode that depends on the pair of
     * event-loop threads it was given (20 against 65 us in one run, for two connections of the same
     * target); with several connections each target meets every pairing.
     */
    static final int INSTANCES = 4;

    /**
     * Measures several targets taking turns: {@value #TURN} round trips each, the order rotating
     * every round, each turn on the next of a target's {@value #INSTANCES} connections, for the warm-up and then for the measurement time. On a VM whose round trips
     * change with the machine's state (threads that stay awake or not: p50 moves between about 20
     * and 100 us here), a comparison of targets measured one after the other says more about that
     * state than about the targets; taking turns gives every target the same conditions. Each
     * target's CPU usage is its own turns'.
     */
    static List<Result> runTakingTurns(List<Named> targets, Warmup warmup, Duration measure) throws Exception {
        byte[] request = new byte[PubSubThroughput.PAYLOAD];
        new java.util.Random(7).nextBytes(request);
        List<Target> open = new java.util.ArrayList<>();
        try {
            // Interleaved (every target's first, then every target's second...), so that each target's
            // instances land on different event-loop threads on both sides.
            for (int k = 0; k < INSTANCES; k++) {
                for (Named n : targets) {
                    open.add(n.factory().open());
                }
            }
            List<Histogram> histograms = new java.util.ArrayList<>();
            List<CpuMeter.Tally> cpu = new java.util.ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                histograms.add(new Histogram(TIMEOUT.toNanos(), 3));
                cpu.add(new CpuMeter.Tally());
            }
            warmup.run(
                    targets.stream().map(Named::system).toList().toString(),
                    time -> turns(targets, open, request, null, null, System.nanoTime() + time.toNanos()));
            turns(targets, open, request, histograms, cpu, System.nanoTime() + measure.toNanos());
            List<Result> results = new java.util.ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                Named n = targets.get(i);
                results.add(new Result(
                        n.system(), n.hops(), histograms.get(i), cpu.get(i).usage()));
            }
            return results;
        } finally {
            for (Target t : open) {
                t.close();
            }
        }
    }

    /** Rounds of turns until {@code end} (nanoTime), recording into {@code histograms} and {@code cpu} when given. */
    private static void turns(
            List<Named> named,
            List<Target> targets,
            byte[] request,
            @org.jspecify.annotations.Nullable List<Histogram> histograms,
            @org.jspecify.annotations.Nullable List<CpuMeter.Tally> cpu,
            long end)
            throws Exception {
        int n = named.size();
        for (int round = 0; System.nanoTime() < end; round++) {
            for (int k = 0; k < n; k++) {
                int i = (round + k) % n;
                Target target = targets.get((round % INSTANCES) * n + i);
                CpuMeter.Sample before =
                        cpu != null ? CpuMeter.sample(named.get(i).serverPid()) : null;
                long now = System.nanoTime();
                for (int c = 0; c < TURN; c++) {
                    target.call(request);
                    long after = System.nanoTime();
                    if (histograms != null) {
                        histograms.get(i).recordValue(Math.min(after - now, TIMEOUT.toNanos()));
                    }
                    now = after;
                }
                if (cpu != null && before != null) {
                    cpu.get(i).add(before, CpuMeter.sample(named.get(i).serverPid()));
                }
            }
        }
    }

    // ------------------------------------------------------------------ Daak

    static final Service<byte[], byte[]> ECHO = Service.of("bench/echo", byte[].class, byte[].class);

    /** Daak, two hops: a client serving an echo service, another requesting it through the node. */
    static TargetFactory daakRequest(String uri) {
        return () -> {
            Daak server = Daak.connect(uri);
            Daak client = Daak.connect(uri);
            Registration registration;
            try {
                registration = Objects.requireNonNull(server.serve(ECHO, ServiceHandler.requestReply(Mono::just))
                        .block(TIMEOUT));
            } catch (RuntimeException e) {
                client.close();
                server.close();
                throw e;
            }
            return new Target() {
                @Override
                public void call(byte[] request) {
                    Objects.requireNonNull(client.request(ECHO, request).block(TIMEOUT), "reply");
                }

                @Override
                public void close() {
                    registration.dispose();
                    client.close();
                    server.close();
                }
            };
        };
    }

    static final Topic<byte[]> QUIET = Topic.of("bench/quiet", byte[].class);

    /**
     * Daak, one hop: {@code publish(topic, value)} as request-response, answered by the node itself
     * with its JSON result (a topic nobody subscribes to).
     */
    static TargetFactory daakPublish(String uri) {
        return () -> {
            Daak client = Daak.connect(uri);
            return new Target() {
                @Override
                public void call(byte[] request) {
                    Objects.requireNonNull(client.publish(QUIET, request).block(TIMEOUT), "result");
                }

                @Override
                public void close() {
                    client.close();
                }
            };
        };
    }

    // ------------------------------------------------------------------ bare RSocket

    /**
     * rsocket-java request-response to an echo server, no metadata: one hop; with {@code resume}, in a
     * resumable session (rsocket-java's defaults), as Daak's client has by default.
     */
    static TargetFactory rsocket(int port, boolean resume) {
        return () -> {
            RSocketConnector connector = RSocketConnector.create().payloadDecoder(PayloadDecoder.ZERO_COPY);
            if (resume) {
                connector.resume(new io.rsocket.core.Resume());
            }
            RSocket rs = Objects.requireNonNull(connector
                    .connect(TcpClientTransport.create("127.0.0.1", port))
                    .block(TIMEOUT));
            return new Target() {
                @Override
                public void call(byte[] request) {
                    Payload reply = Objects.requireNonNull(
                            rs.requestResponse(ByteBufPayload.create(request)).block(TIMEOUT), "reply");
                    reply.release();
                }

                @Override
                public void close() {
                    rs.dispose();
                }
            };
        };
    }

    // ------------------------------------------------------------------ NATS

    static final String SUBJECT = "bench.echo";

    /** NATS request/reply: a responder connection echoing, a requester connection: two hops. */
    static TargetFactory nats(String url) {
        return () -> {
            Connection responder = Nats.connect(PubSubThroughput.natsOptions(url));
            Connection requester;
            try {
                Dispatcher d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(), m.getData()));
                d.subscribe(SUBJECT);
                responder.flush(TIMEOUT);
                requester = Nats.connect(PubSubThroughput.natsOptions(url));
            } catch (Exception e) {
                PubSubThroughput.closeAll(List.of(responder));
                throw e;
            }
            return new Target() {
                @Override
                public void call(byte[] request) throws InterruptedException {
                    Message reply = requester.request(SUBJECT, request, TIMEOUT);
                    if (reply == null) {
                        throw new IllegalStateException("no NATS reply within " + TIMEOUT);
                    }
                }

                @Override
                public void close() {
                    PubSubThroughput.closeAll(List.of(requester, responder));
                }
            };
        };
    }
}
