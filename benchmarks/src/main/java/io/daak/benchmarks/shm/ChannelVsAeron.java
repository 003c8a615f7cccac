package io.daak.benchmarks.shm;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.daak.benchmarks.shm.Measures.Rate;
import io.daak.benchmarks.shm.Measures.RoundTrips;
import io.daak.shm.ShmChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The raw {@link ShmChannel} against Aeron IPC between two processes, the peer following the same
 * {@link Script} over both: a one-way stream of numbered messages counted and checked by the peer, and
 * ping-pong. Not thread-safe.
 */
final class ChannelVsAeron {

    private static final Logger log = LoggerFactory.getLogger(ChannelVsAeron.class);

    static final String SHM = "ShmChannel";
    static final String AERON = "Aeron IPC";
    static final String LOANS = "ShmChannel loans";
    static final String FAST = "ShmChannel tryOffer+batches";

    private ChannelVsAeron() {}

    // ------------------------------------------------------------------ ShmChannel

    /** This process's end of a raw channel to an {@link ShmPeer} {@code channel}. */
    static final class Shm implements AutoCloseable {
        private final PeerProcess peer;
        private final ShmChannel channel;
        private final Sinks.Many<ByteBuf> pings = Sinks.many().unicast().onBackpressureBuffer();
        private volatile Consumer<ByteBuf> onReply = b -> {};

        Shm(Path socket) {
            this.peer = PeerProcess.start("channel", socket.toString());
            this.channel = Objects.requireNonNull(ShmChannel.connect(socket).block(Measures.TIMEOUT));
            channel.send(pings.asFlux()).subscribe(v -> {}, e -> {});
            channel.receive().subscribe(b -> onReply.accept(b), e -> log.error("ShmChannel receive failed", e));
        }

        /**
         * Queues a ping; the first ones come from the caller's thread while the I/O thread may already
         * emit the next, so a concurrent emission is retried rather than failed.
         */
        private void emit(ByteBuf message) {
            pings.emitNext(message, Sinks.EmitFailureHandler.busyLooping(Measures.TIMEOUT));
        }

        private static ByteBuf message(long sequence, int size) {
            ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(size, size).writeLong(sequence);
            return b.writerIndex(size);
        }

        /** {@code count} messages of {@code size} bytes to the peer, timed until its answer. */
        Rate stream(int size, long count) throws Exception {
            CompletableFuture<Long> answer = new CompletableFuture<>();
            onReply = b -> answer.complete(b.getLong(0) == Script.DONE ? b.getLong(8) : Long.MIN_VALUE);
            long start = System.nanoTime();
            // One send: the command first, then messages made as the ring drains (on the I/O thread).
            channel.send(Flux.concat(
                            Flux.just(ShmPeer.command(
                                    ByteBufAllocator.DEFAULT.buffer(Script.COMMAND_LENGTH), Script.COUNT, size, count)),
                            Flux.range(0, Math.toIntExact(count)).map(i -> message(i, size))))
                    .block(Measures.TIMEOUT.multipliedBy(4));
            long received = answer.get(Measures.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            long nanos = System.nanoTime() - start;
            Script.checkAnswer(SHM, received, count);
            return new Rate(SHM, size, count, nanos);
        }

        private ByteBuf loan(long sequence, int size) {
            return channel.loan(size).writeLong(sequence).writerIndex(size);
        }

        /**
         * Ping-pong, driven from the reply callback on the channel's I/O thread. With {@code loans} each
         * ping and each reply is a new zero-copy loan of {@code size} bytes in which only the sequence
         * number is written: the transport's cost of a large message, without the cost of filling it.
         */
        RoundTrips pingPong(int size, boolean loans, Duration warmup, Duration measure) throws Exception {
            String system = loans ? LOANS : SHM;
            PingPong pp = new PingPong(system, size, warmup, measure);
            onReply = b -> {
                if (pp.replied(b.getLong(0), b.readableBytes())) {
                    long next = pp.next();
                    emit(loans ? loan(next, size) : message(next, size));
                }
            };
            emit(ShmPeer.command(
                    ByteBufAllocator.DEFAULT.buffer(Script.COMMAND_LENGTH),
                    loans ? Script.REPLY : Script.ECHO,
                    size,
                    0));
            pp.first();
            emit(loans ? loan(0, size) : message(0, size));
            return pp.await();
        }

        @Override
        public void close() {
            channel.dispose();
            peer.close();
        }
    }

    // ------------------------------------------------------------------ ShmChannel, fast path

    /** A channel measured the same way: a stream of messages one way, and a ping-pong. */
    interface Channel extends AutoCloseable {
        /** {@code count} messages of {@code size} bytes to the peer, timed until its answer. */
        Rate stream(int size, long count) throws Exception;

        /** Round trips of {@code size} bytes after {@code warmup}, for {@code measure}. */
        RoundTrips pingPong(int size, Duration warmup, Duration measure) throws Exception;
    }

    /**
     * This process's end of a raw channel to an {@link ShmPeer} {@code fastchannel}, both ends on the
     * channel's fast path, as Aeron's ends are on Aeron's: {@link ShmChannel#tryOffer} from one reused
     * buffer (spinning while the ring is full, as Aeron's offer loop does, and waiting with
     * {@link ShmChannel#writable()} after a while) and {@link ShmChannel#receiveBatches()} read in place.
     */
    static final class FastShm implements Channel {
        private final PeerProcess peer;
        private final ShmChannel channel;
        private final ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(1 << 20, 1 << 20);
        private volatile Reply onReply = (b, offset, length) -> {};

        /** A message seen in place: {@code length} bytes of {@code b} from {@code offset}. */
        interface Reply {
            void on(ByteBuf b, int offset, int length);
        }

        FastShm(Path socket) {
            this.peer = PeerProcess.start("fastchannel", socket.toString());
            this.channel = Objects.requireNonNull(ShmChannel.connect(socket).block(Measures.TIMEOUT));
            channel.receiveBatches()
                    .subscribe(
                            batch -> {
                                while (batch.next()) {
                                    onReply.on(batch.buffer(), batch.offset(), batch.length());
                                }
                            },
                            e -> log.error("ShmChannel receiveBatches failed", e));
        }

        /** Offers one message, spinning while the ring is full and then waiting for room. */
        static void offer(ShmChannel channel, ByteBuf b, int offset, int length) {
            int tries = 0;
            while (!channel.tryOffer(b, offset, length)) {
                if (++tries < 10_000) {
                    Thread.onSpinWait();
                } else {
                    channel.writable().block(Measures.TIMEOUT);
                    tries = 0;
                }
            }
        }

        private void command(long kind, long a, long b) {
            ByteBuf command = ShmPeer.command(ByteBufAllocator.DEFAULT.heapBuffer(Script.COMMAND_LENGTH), kind, a, b);
            try {
                offer(channel, command, 0, Script.COMMAND_LENGTH);
            } finally {
                command.release();
            }
        }

        /** {@code count} messages of {@code size} bytes to the peer from one reused buffer, timed until its answer. */
        @Override
        public Rate stream(int size, long count) throws Exception {
            CompletableFuture<Long> answer = new CompletableFuture<>();
            onReply = (b, offset, length) ->
                    answer.complete(b.getLong(offset) == Script.DONE ? b.getLong(offset + 8) : Long.MIN_VALUE);
            long start = System.nanoTime();
            command(Script.COUNT, size, count);
            for (long i = 0; i < count; i++) {
                buffer.setLong(0, i);
                offer(channel, buffer, 0, size);
            }
            long received = answer.get(Measures.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            long nanos = System.nanoTime() - start;
            Script.checkAnswer(FAST, received, count);
            return new Rate(FAST, size, count, nanos);
        }

        /** Ping-pong, the next ping offered from the reply's batch on the channel's I/O thread. */
        @Override
        public RoundTrips pingPong(int size, Duration warmup, Duration measure) throws Exception {
            PingPong pp = new PingPong(FAST, size, warmup, measure);
            ByteBuf ping = ByteBufAllocator.DEFAULT.directBuffer(size, size).writerIndex(size);
            onReply = (b, offset, length) -> {
                if (pp.replied(b.getLong(offset), length)) {
                    ping.setLong(0, pp.next());
                    offer(channel, ping, 0, size);
                }
            };
            try {
                command(Script.ECHO, size, 0);
                ping.setLong(0, 0);
                pp.first();
                offer(channel, ping, 0, size);
                return pp.await();
            } finally {
                onReply = (b, offset, length) -> {};
                ping.release();
            }
        }

        @Override
        public void close() {
            channel.dispose();
            peer.close();
            buffer.release();
        }
    }

    // ------------------------------------------------------------------ Aeron

    /** This process's end of Aeron IPC to an {@link ShmPeer} {@code aeron}, with the embedded driver. */
    static final class Ipc implements Channel {
        private final MediaDriver driver;
        private final Aeron aeron;
        private final PeerProcess peer;
        private final ExclusivePublication out;
        private final Subscription in;
        private final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1 << 20, 64));
        private long reply = Long.MIN_VALUE;
        private int replyLength;
        private final FragmentAssembler onReply = new FragmentAssembler((b, offset, length, header) -> {
            reply = b.getLong(offset) == Script.DONE && length == Script.COMMAND_LENGTH
                    ? b.getLong(offset + 8)
                    : b.getLong(offset);
            replyLength = length;
        });

        Ipc(Path dir) throws Exception {
            Files.createDirectories(dir.getParent());
            this.driver = AeronIpc.launchDriver(dir);
            this.aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir.toString()));
            this.out = aeron.addExclusivePublication(ShmPeer.AERON_CHANNEL, ShmPeer.AERON_TO_PEER);
            this.in = aeron.addSubscription(ShmPeer.AERON_CHANNEL, ShmPeer.AERON_TO_PARENT);
            this.peer = PeerProcess.start("aeron", dir.toString());
            long deadline = System.nanoTime() + Measures.TIMEOUT.toNanos();
            while (!out.isConnected() || !in.isConnected()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Aeron peer did not connect within " + Measures.TIMEOUT);
                }
                Thread.onSpinWait();
            }
        }

        private void command(long kind, long a, long b) {
            buffer.putLong(0, kind);
            buffer.putLong(8, a);
            buffer.putLong(16, b);
            AeronIpc.offer(out, buffer, 0, Script.COMMAND_LENGTH);
        }

        /** Polls until a reply arrives; returns its first long (or a DONE's count). */
        private long awaitReply(long deadline) {
            reply = Long.MIN_VALUE;
            replyLength = -1;
            while (replyLength < 0) {
                if (in.poll(onReply, 1) == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(AERON + ": no reply within " + Measures.TIMEOUT);
                    }
                    Thread.onSpinWait();
                }
            }
            return reply;
        }

        /** {@code count} messages of {@code size} bytes to the peer, timed until its answer. */
        @Override
        public Rate stream(int size, long count) {
            long start = System.nanoTime();
            command(Script.COUNT, size, count);
            for (long i = 0; i < count; i++) {
                buffer.putLong(0, i);
                AeronIpc.offer(out, buffer, 0, size);
            }
            long received = awaitReply(System.nanoTime() + Measures.TIMEOUT.toNanos());
            long nanos = System.nanoTime() - start;
            Script.checkAnswer(AERON, received, count);
            return new Rate(AERON, size, count, nanos);
        }

        /** Ping-pong from this thread, busy-polling for each reply. */
        @Override
        public RoundTrips pingPong(int size, Duration warmup, Duration measure) {
            Histogram histogram = Measures.histogram();
            command(Script.ECHO, size, 0);
            long measureFrom = System.nanoTime() + warmup.toNanos();
            long measureUntil = measureFrom + measure.toNanos();
            for (long seq = 0; ; seq++) {
                buffer.putLong(0, seq);
                long sentAt = System.nanoTime();
                AeronIpc.offer(out, buffer, 0, size);
                long got = awaitReply(sentAt + Measures.TIMEOUT.toNanos());
                long now = System.nanoTime();
                long ping = seq;
                int length = replyLength;
                Measures.check(
                        got == ping && length == size,
                        AERON,
                        () -> "reply " + got + " of " + length + " bytes to ping " + ping + " of " + size);
                if (now >= measureFrom) {
                    histogram.recordValue(Math.min(now - sentAt, histogram.getHighestTrackableValue()));
                }
                if (now >= measureUntil) {
                    return new RoundTrips(AERON, size, histogram);
                }
            }
        }

        @Override
        public void close() {
            peer.close();
            aeron.close();
            driver.close();
        }
    }

    /**
     * The bookkeeping of a ping-pong driven from reply callbacks on one thread: checks each reply's
     * sequence and size, records round trips after the warm-up, and ends after the measurement.
     */
    private static final class PingPong {
        private final String system;
        private final int size;
        private final Histogram histogram = Measures.histogram();
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final Duration timeout;
        private final long measureFrom;
        private final long measureUntil;
        private long sequence;
        private long sentAt;

        PingPong(String system, int size, Duration warmup, Duration measure) {
            this.system = system;
            this.size = size;
            this.timeout = warmup.plus(measure).plus(Measures.TIMEOUT);
            this.measureFrom = System.nanoTime() + warmup.toNanos();
            this.measureUntil = measureFrom + measure.toNanos();
        }

        /** The first ping (sequence 0) leaves now. */
        void first() {
            sentAt = System.nanoTime();
        }

        /** A reply came: true when the next ping is due, false when the run ended or failed. */
        boolean replied(long replySequence, int length) {
            long now = System.nanoTime();
            if (replySequence != sequence || length != size) {
                done.completeExceptionally(new IllegalStateException(system + ": reply " + replySequence + " of "
                        + length + " bytes to ping " + sequence + " of " + size));
                return false;
            }
            if (now >= measureFrom) {
                histogram.recordValue(Math.min(now - sentAt, histogram.getHighestTrackableValue()));
            }
            if (now >= measureUntil) {
                done.complete(null);
                return false;
            }
            return true;
        }

        /** The next ping's sequence number; it leaves now. */
        long next() {
            sequence++;
            sentAt = System.nanoTime();
            return sequence;
        }

        /** Waits for the end and returns the round trips. */
        RoundTrips await() throws Exception {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new RoundTrips(system, size, histogram);
        }
    }
}
