package io.daak.benchmarks.shm;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.daak.shm.ShmChannel;
import io.daak.shm.ShmClientTransport;
import io.daak.shm.ShmOptions;
import io.daak.shm.ShmServer;
import io.daak.shm.ShmServerTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.util.ByteBufPayload;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The second process of the shared-memory benchmarks, started by {@link PeerProcess}. One of:
 *
 * <pre>{@code
 * ShmPeer rsocket <socket>    rsocket-java on shm:<socket> and on TCP 127.0.0.1:<free port>, the same acceptor:
 *                             request-response echoes; request-stream of (size, count) sends count payloads of
 *                             size bytes, metadata = the sequence number.      <- READY <tcp port>
 * ShmPeer channel <socket>    an ShmServer following the Script on each channel. <- READY
 * ShmPeer fastchannel <socket> the same on the channel's fast path: receiveBatches, replies with tryOffer.
 * ShmPeer aeron <dir>         an Aeron client of the parent's driver in <dir>, following the Script: subscription
 *                             on stream 10, publication on stream 11 of aeron:ipc. <- READY
 * }</pre>
 *
 * Then answers {@code jit} with {@code JIT <milliseconds its JIT compilers have worked>} and waits for
 * {@code quit} (or the end of input) on standard input, and exits.
 */
public final class ShmPeer {

    /** The Aeron channel of the baseline: IPC with a 4 MiB term (a 2 MiB window, as shm-flux's 2 MiB ring). */
    static final String AERON_CHANNEL = "aeron:ipc?term-length=4m";

    /** Parent to peer. */
    static final int AERON_TO_PEER = 10;

    /** Peer to parent. */
    static final int AERON_TO_PARENT = 11;

    private ShmPeer() {}

    /**
     * Starts the peer.
     *
     * @param args the mode and its argument
     * @throws Exception when the peer cannot start
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        AutoCloseable running =
                switch (args.length == 2 ? args[0] : "") {
                    case "rsocket" -> rsocket(Path.of(args[1]), out);
                    case "channel" -> channel(Path.of(args[1]), out);
                    case "fastchannel" -> fastChannel(Path.of(args[1]), out);
                    case "aeron" -> aeron(args[1], out);
                    default ->
                        throw new IllegalArgumentException(
                                "usage: ShmPeer rsocket|channel|fastchannel <socket path> | aeron <dir>, not "
                                        + String.join(" ", args));
                };
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
                if (line.equals("jit")) {
                    out.println(io.daak.benchmarks.Warmup.jitAnswer());
                } else {
                    out.println("ERROR unknown command '" + line + "': jit, quit");
                }
            }
        } catch (IOException e) {
            // The parent is gone.
        } finally {
            running.close();
        }
        System.exit(0);
    }

    // ------------------------------------------------------------------ RSocket

    private static final Map<Integer, ByteBuf> CONTENTS = new ConcurrentHashMap<>();

    /** A shared buffer of {@code size} random bytes; callers take {@code retainedDuplicate()}s of it. */
    static ByteBuf contents(int size) {
        return CONTENTS.computeIfAbsent(size, n -> {
            byte[] bytes = new byte[n];
            new java.util.Random(n).nextBytes(bytes);
            return ByteBufAllocator.DEFAULT.directBuffer(n, n).writeBytes(bytes);
        });
    }

    /** A payload of {@code size} bytes (a view of the shared contents) with the sequence number as metadata. */
    static Payload payload(int size, long sequence) {
        return payload(contents(size), sequence);
    }

    /** A payload: a view of {@code contents}, the sequence number as metadata. */
    private static Payload payload(ByteBuf contents, long sequence) {
        ByteBuf metadata = ByteBufAllocator.DEFAULT.buffer(Long.BYTES).writeLong(sequence);
        return ByteBufPayload.create(contents.retainedDuplicate(), metadata);
    }

    /**
     * A payload of {@code size} bytes in a new loan from {@code transport}'s pool, only the sequence
     * number written into it (as the first 8 bytes and as metadata): it travels without a copy.
     */
    static Payload loanedPayload(ShmClientTransport transport, int size, long sequence) {
        return loaned(transport.loan(size), size, sequence);
    }

    private static Payload loaned(ByteBuf loan, int size, long sequence) {
        ByteBuf metadata = ByteBufAllocator.DEFAULT.buffer(Long.BYTES).writeLong(sequence);
        return ByteBufPayload.create(loan.writeLong(sequence).writerIndex(size), metadata);
    }

    /** Whether payloads of {@code size} bytes are loans on the shm side: the 16 MiB case. */
    static boolean loans(int size) {
        return size >= RSocketShmVsTcp.LARGEST;
    }

    private static AutoCloseable rsocket(Path socket, PrintStream out) {
        ShmServerTransport shmTransport = ShmServerTransport.create(socket);
        CloseableChannel tcp = Objects.requireNonNull(
                server(null).bind(TcpServerTransport.create("127.0.0.1", 0)).block(Duration.ofSeconds(30)));
        io.rsocket.Closeable shm =
                Objects.requireNonNull(server(shmTransport).bind(shmTransport).block(Duration.ofSeconds(30)));
        out.println("READY " + tcp.address().getPort());
        return () -> {
            shm.dispose();
            tcp.dispose();
        };
    }

    /**
     * The benchmark's server: request-response echoes (over shm at 16 MiB: answers with a new loan
     * carrying the request's sequence number), request-stream sends (size, count) payloads.
     */
    private static RSocketServer server(@Nullable ShmServerTransport loans) {
        RSocket handler = new RSocket() {
            @Override
            public Mono<Payload> requestResponse(Payload request) {
                int size = request.data().readableBytes();
                if (loans == null || !loans(size)) {
                    return Mono.just(request);
                }
                long sequence;
                try {
                    sequence = request.metadata().getLong(0);
                } finally {
                    request.release();
                }
                return Mono.just(loaned(loans.loan(size), size, sequence));
            }

            @Override
            public Flux<Payload> requestStream(Payload request) {
                int size;
                long count;
                try {
                    size = request.data().getInt(0);
                    count = request.data().getLong(Integer.BYTES);
                } finally {
                    request.release();
                }
                Flux<Integer> sequence = Flux.range(0, Math.toIntExact(count));
                if (loans == null || !loans(size)) {
                    ByteBuf contents = contents(size); // looked up once per stream, not per payload
                    return sequence.map(i -> payload(contents, i));
                }
                return sequence.map(i -> loaned(loans.loan(size), size, i));
            }
        };
        return RSocketServer.create(SocketAcceptor.with(handler)).payloadDecoder(PayloadDecoder.ZERO_COPY);
    }

    // ------------------------------------------------------------------ raw channel

    private static AutoCloseable channel(Path socket, PrintStream out) {
        ShmServer server = ShmServer.bind(socket, ShmOptions.defaults(), ShmPeer::follow);
        out.println("READY");
        return server;
    }

    /** Follows the Script on one channel; everything runs on the channel's I/O thread. */
    private static void follow(ShmChannel channel) {
        Script script = new Script();
        Sinks.Many<ByteBuf> replies = Sinks.many().unicast().onBackpressureBuffer();
        channel.send(replies.asFlux()).subscribe(v -> {}, e -> {});
        channel.receive()
                .subscribe(
                        b -> {
                            int length = b.readableBytes();
                            boolean command = length >= Script.COMMAND_LENGTH && b.getLong(0) < 0;
                            switch (script.onMessage(
                                    b.getLong(0), command ? b.getLong(8) : 0, command ? b.getLong(16) : 0, length)) {
                                case ECHO -> replies.emitNext(b.retain(), Sinks.EmitFailureHandler.FAIL_FAST);
                                case REPLY ->
                                    replies.emitNext(
                                            channel.loan(length)
                                                    .writeLong(b.getLong(0))
                                                    .writerIndex(length),
                                            Sinks.EmitFailureHandler.FAIL_FAST);
                                case ANSWER ->
                                    replies.emitNext(
                                            command(
                                                    ByteBufAllocator.DEFAULT.buffer(Script.COMMAND_LENGTH),
                                                    Script.DONE,
                                                    script.answer(),
                                                    0),
                                            Sinks.EmitFailureHandler.FAIL_FAST);
                                case NONE -> {}
                            }
                        },
                        e -> {},
                        () -> replies.tryEmitComplete());
    }

    private static AutoCloseable fastChannel(Path socket, PrintStream out) {
        ShmServer server = ShmServer.bind(socket, ShmOptions.defaults(), ShmPeer::followFast);
        out.println("READY");
        return server;
    }

    /**
     * Follows the Script on one channel's fast path: messages read in place from batches, echoes and
     * answers offered at once from the I/O thread (no object per message). No loans (REPLY).
     */
    private static void followFast(ShmChannel channel) {
        Script script = new Script();
        ByteBuf answer = ByteBufAllocator.DEFAULT.directBuffer(Script.COMMAND_LENGTH);
        channel.receiveBatches()
                .doFinally(s -> answer.release())
                .subscribe(
                        batch -> {
                            while (batch.next()) {
                                ByteBuf b = batch.buffer();
                                int at = batch.offset();
                                int length = batch.length();
                                boolean command = length >= Script.COMMAND_LENGTH && b.getLong(at) < 0;
                                switch (script.onMessage(
                                        b.getLong(at),
                                        command ? b.getLong(at + 8) : 0,
                                        command ? b.getLong(at + 16) : 0,
                                        length)) {
                                    case ECHO -> ChannelVsAeron.FastShm.offer(channel, b, at, length);
                                    case ANSWER -> {
                                        answer.clear();
                                        command(answer, Script.DONE, script.answer(), 0);
                                        ChannelVsAeron.FastShm.offer(channel, answer, 0, Script.COMMAND_LENGTH);
                                    }
                                    case REPLY ->
                                        throw new IllegalStateException("the fast-path peer takes no loans (REPLY)");
                                    case NONE -> {}
                                }
                            }
                        },
                        e -> {});
    }

    /** Writes a command (or answer) into {@code into} and returns it. */
    static ByteBuf command(ByteBuf into, long kind, long a, long b) {
        return into.writeLong(kind).writeLong(a).writeLong(b);
    }

    // ------------------------------------------------------------------ Aeron

    private static AutoCloseable aeron(String dir, PrintStream out) {
        Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
        Subscription in = aeron.addSubscription(AERON_CHANNEL, AERON_TO_PEER);
        ExclusivePublication back = aeron.addExclusivePublication(AERON_CHANNEL, AERON_TO_PARENT);
        Script script = new Script();
        UnsafeBuffer answer = new UnsafeBuffer(new byte[Script.COMMAND_LENGTH]);
        FragmentAssembler handler = new FragmentAssembler((buffer, offset, length, header) -> {
            boolean command = length >= Script.COMMAND_LENGTH && buffer.getLong(offset) < 0;
            switch (script.onMessage(
                    buffer.getLong(offset),
                    command ? buffer.getLong(offset + 8) : 0,
                    command ? buffer.getLong(offset + 16) : 0,
                    length)) {
                case ECHO, REPLY -> AeronIpc.offer(back, buffer, offset, length);
                case ANSWER -> {
                    answer.putLong(0, Script.DONE);
                    answer.putLong(8, script.answer());
                    answer.putLong(16, 0);
                    AeronIpc.offer(back, answer, 0, Script.COMMAND_LENGTH);
                }
                case NONE -> {}
            }
        });
        Thread poller = new Thread(
                () -> {
                    // Busy-spinning, as Aeron is run for its lowest latency.
                    while (!Thread.currentThread().isInterrupted() && !in.isClosed()) {
                        if (in.poll(handler, 16) == 0) {
                            Thread.onSpinWait();
                        }
                    }
                },
                "aeron-peer");
        poller.start();
        out.println("READY");
        return () -> {
            poller.interrupt();
            poller.join(5_000);
            aeron.close();
        };
    }
}
