package io.daak.benchmarks.shm;

import io.daak.benchmarks.Warmup;
import io.daak.benchmarks.shm.Measures.Rate;
import io.daak.benchmarks.shm.Measures.RoundTrips;
import io.daak.shm.ShmClientTransport;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.util.ByteBufPayload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * rsocket-java between two processes, the same client and server code over shm-flux and over TCP
 * loopback: request-streams from the peer ({@link ShmPeer} {@code rsocket}) to this process for the
 * message rate, the transports taking turns, and request-response ping-pong for the round trip. Payloads carry their sequence number
 * as metadata; every one is checked. At 16 MiB ({@link ShmPeer#loans}) the shm side sends each payload
 * in a new loan of the transport's pool ({@code ShmClientTransport.loan}, {@code ShmServerTransport.loan})
 * with only its sequence number written, so it travels without a copy; TCP sends its pre-filled buffer:
 * neither side fills 16 MiB per message. Not thread-safe.
 */
final class RSocketShmVsTcp implements AutoCloseable {

    /** The largest payload of an unfragmented RSocket frame with 8 bytes of metadata, rounded down: 16 MiB - 64 B. */
    static final int LARGEST = (16 << 20) - 64;

    private final PeerProcess peer;
    private final Path socket;
    private final int tcpPort;

    private RSocketShmVsTcp(PeerProcess peer, Path socket) {
        this.peer = peer;
        this.socket = socket;
        this.tcpPort = Integer.parseInt(peer.ready()[0]);
    }

    /** Starts the peer serving both transports. */
    static RSocketShmVsTcp start(Path socket) {
        return new RSocketShmVsTcp(PeerProcess.start("rsocket", socket.toString()), socket);
    }

    /** The transports, in the order measured. */
    enum Transport {
        SHM,
        TCP
    }

    /** An RSocket client; over shm, {@code shm[0]} receives the transport, for loans. */
    private RSocket connect(Transport transport, ShmClientTransport[] shm) {
        ClientTransport t;
        if (transport == Transport.SHM) {
            shm[0] = ShmClientTransport.create(socket);
            t = shm[0];
        } else {
            t = TcpClientTransport.create("127.0.0.1", tcpPort);
        }
        return Objects.requireNonNull(RSocketConnector.create()
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .connect(t)
                .block(Measures.TIMEOUT));
    }

    private static String name(Transport transport) {
        return "RSocket over " + (transport == Transport.SHM ? "shm" : "TCP");
    }

    /**
     * Payloads in flight at most (the stream's {@code limitRate}): up to 256, and 32 MiB in all, so that
     * neither a TCP socket's buffers nor the shm pool (64 MiB) hold an unbounded backlog.
     */
    static int window(int size) {
        return Math.max(2, Math.min(256, (32 << 20) / size));
    }

    /** The longest turn of a rate measurement. */
    private static final Duration TURN = Duration.ofSeconds(1);

    /**
     * The message rates of request-streams from the peer over both transports, measured as the network
     * benchmarks measure: both connections open, a warm-up that goes on while either JVM's JIT still
     * compiles ({@link Warmup}), then the transports take turns of a second (at most {@code measure}
     * each) until each has had {@code measure}; each stream is sized by its transport's latest rate.
     * A fixed warm-up measured the first size (64 B) while both JVMs still compiled, shm by about 15 %
     * more than TCP.
     *
     * @return one rate per transport, in the order of {@link Transport}
     */
    List<Rate> rates(int size, Duration warmup, Duration warmupMax, Duration measure) throws Exception {
        Transport[] transports = Transport.values();
        RSocket[] sockets = new RSocket[transports.length];
        try {
            for (int t = 0; t < transports.length; t++) {
                sockets[t] = connect(transports[t], new ShmClientTransport[1]);
            }
            double[] rate = new double[transports.length];
            Duration slice = TURN.dividedBy(4);
            new Warmup(warmup, warmupMax, peer::compileMillis).run(Measures.size(size) + " request-streams", time -> {
                long end = System.nanoTime() + time.toNanos();
                do {
                    for (int t = 0; t < transports.length; t++) {
                        rate[t] = timed(sockets[t], transports[t], size, count(rate[t], size, slice))
                                .perSecond();
                    }
                } while (System.nanoTime() < end);
            });
            Duration turn = measure.compareTo(TURN) < 0 ? measure : TURN;
            long turns = Math.max(1, measure.toNanos() / turn.toNanos());
            long[] messages = new long[transports.length];
            long[] nanos = new long[transports.length];
            for (long i = 0; i < turns; i++) {
                for (int t = 0; t < transports.length; t++) {
                    Rate r = timed(sockets[t], transports[t], size, count(rate[t], size, turn));
                    messages[t] += r.messages();
                    nanos[t] += r.nanos();
                    rate[t] = r.perSecond();
                }
            }
            List<Rate> rates = new ArrayList<>();
            for (int t = 0; t < transports.length; t++) {
                rates.add(new Rate(name(transports[t]), size, messages[t], nanos[t]));
            }
            return rates;
        } finally {
            for (RSocket rs : sockets) {
                if (rs != null) {
                    rs.dispose();
                }
            }
        }
    }

    /** Payloads for a stream of about {@code time} at {@code rate} (msgs/s; 0 before the first stream). */
    private static long count(double rate, int size, Duration time) {
        if (rate == 0) {
            return Math.max(10, Math.min(100_000, (64L << 20) / size));
        }
        return Math.max(10, Math.min(50_000_000, (long) (rate * time.toNanos() / 1e9)));
    }

    private static Rate timed(RSocket rs, Transport transport, int size, long count) {
        long start = System.nanoTime();
        receive(rs, transport, size, count);
        return new Rate(name(transport), size, count, System.nanoTime() - start);
    }

    private static void receive(RSocket rs, Transport transport, int size, long count) {
        long[] next = {0};
        String system = name(transport);
        Payload request = ByteBufPayload.create(
                ByteBufAllocator.DEFAULT.buffer(12).writeInt(size).writeLong(count));
        Long received = rs.requestStream(request)
                .limitRate(window(size))
                .map(p -> {
                    try {
                        long seq = p.metadata().getLong(0);
                        Measures.check(
                                seq == next[0] && p.data().readableBytes() == size,
                                system,
                                () -> "payload " + seq + " of " + p.data().readableBytes() + " bytes where " + next[0]
                                        + " of " + size + " was due: lost or reordered");
                        next[0]++;
                    } finally {
                        p.release();
                    }
                    return 1;
                })
                .count()
                .block(Measures.TIMEOUT.multipliedBy(4));
        Measures.check(Objects.equals(received, count), system, () -> "received " + received + " payloads of " + count);
    }

    /**
     * Request-response round trips, one in flight, each next request sent from the previous reply's
     * callback (the transport's own thread, as an application reacting to replies would).
     */
    RoundTrips pingPong(Transport transport, int size, Duration warmup, Duration measure) throws Exception {
        ShmClientTransport[] shm = new ShmClientTransport[1];
        RSocket rs = connect(transport, shm);
        try {
            PingPong run =
                    new PingPong(rs, ShmPeer.loans(size) ? shm[0] : null, name(transport), size, warmup, measure);
            run.next();
            run.done.get(warmup.plus(measure).plus(Measures.TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
            return new RoundTrips(name(transport), size, run.histogram);
        } finally {
            rs.dispose();
        }
    }

    /** One request at a time; records after the warm-up, stops after the measurement. */
    private static final class PingPong {
        final RSocket rs;
        final @Nullable ShmClientTransport loans;
        final String system;
        final int size;
        final long measureFrom;
        final long measureUntil;
        final Histogram histogram = Measures.histogram();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        long sequence;
        long sentAt;

        PingPong(
                RSocket rs,
                @Nullable ShmClientTransport loans,
                String system,
                int size,
                Duration warmup,
                Duration measure) {
            this.rs = rs;
            this.loans = loans;
            this.system = system;
            this.size = size;
            this.measureFrom = System.nanoTime() + warmup.toNanos();
            this.measureUntil = measureFrom + measure.toNanos();
        }

        void next() {
            sentAt = System.nanoTime();
            Payload request =
                    loans != null ? ShmPeer.loanedPayload(loans, size, sequence) : ShmPeer.payload(size, sequence);
            rs.requestResponse(request).subscribe(this::onReply, done::completeExceptionally);
        }

        private void onReply(Payload reply) {
            long now = System.nanoTime();
            try {
                long seq = reply.metadata().getLong(0);
                Measures.check(
                        seq == sequence && reply.data().readableBytes() == size,
                        system,
                        () -> "reply " + seq + " of " + reply.data().readableBytes() + " bytes to request " + sequence
                                + " of " + size);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                return;
            } finally {
                reply.release();
            }
            if (now >= measureFrom) {
                histogram.recordValue(Math.min(now - sentAt, histogram.getHighestTrackableValue()));
            }
            sequence++;
            if (now < measureUntil) {
                next();
            } else {
                done.complete(null);
            }
        }
    }

    @Override
    public void close() {
        peer.close();
    }
}
