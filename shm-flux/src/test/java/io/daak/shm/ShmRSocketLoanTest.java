package io.daak.shm;

import static io.daak.shm.ShmChannelTest.awaitBlocksInUse;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.Closeable;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.util.ByteBufPayload;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.agrona.BufferUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** RSocket payloads whose data is a loan from the shm transport: sent as a pool reference, no copy. */
@ExtendWith(LeakWatch.class)
class ShmRSocketLoanTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** The largest data of an unfragmented frame with 8 bytes of metadata, rounded down: 16 MiB - 64 B. */
    private static final int LARGE = (16 << 20) - 64;

    private final Path socket = TestSockets.socket("loan");
    private final BlockingQueue<String> seenByServer = new LinkedBlockingQueue<>();
    private final BlockingQueue<Long> lentByServer = new LinkedBlockingQueue<>();
    private final List<ShmClientTransport> clientTransports = new ArrayList<>();
    private final List<RSocket> clients = new ArrayList<>();
    private ShmServerTransport serverTransport;
    private Closeable server;

    @BeforeEach
    void start() {
        serverTransport = ShmServerTransport.create(socket);
        RSocket handler = new RSocket() {
            @Override
            public Mono<Payload> requestResponse(Payload request) {
                long seq;
                int size;
                try {
                    seenByServer.add(describe(request.data(), inboundPoolOf(serverTransport.connections())));
                    seq = request.metadata().getLong(0);
                    size = request.data().readableBytes();
                } finally {
                    request.release();
                }
                ByteBuf reply = serverTransport.loan(size);
                lentByServer.add(offsetIn(accepted(1).outboundPool(), reply));
                return Mono.just(sequenced(reply, size, seq));
            }

            @Override
            public Flux<Payload> requestStream(Payload request) {
                int size = request.data().getInt(0);
                int count = request.data().getInt(Integer.BYTES);
                request.release();
                return Flux.range(0, count).map(i -> sequenced(serverTransport.loan(size), size, i));
            }
        };
        server = RSocketServer.create(SocketAcceptor.with(handler))
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .bind(serverTransport)
                .block(TIMEOUT);
    }

    private RSocket connect(ShmClientTransport transport) {
        RSocket rs = RSocketConnector.create()
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .connect(transport)
                .block(TIMEOUT);
        clientTransports.add(transport);
        clients.add(rs);
        return rs;
    }

    @AfterEach
    void stop() {
        clients.forEach(RSocket::dispose);
        server.dispose();
        server.onClose().block(TIMEOUT);
    }

    @Test
    void shouldCarryLoanedPayloadsInPlaceBothWaysAndReturnEverySlot() throws Exception {
        ShmClientTransport transport = ShmClientTransport.create(socket);
        RSocket client = connect(transport);
        ShmConnection clientEnd = transport.connections().get(0);
        ShmConnection serverEnd = accepted(1);
        ByteBuffer replies = clientEnd.inboundPool();
        // Each direction's pool holds 4 such payloads: 12 round trips reuse every slot three times.
        for (long seq = 0; seq < 12; seq++) {
            ByteBuf data = transport.loan(LARGE);
            assertThat(data).as("a loan from the connection's pool").isInstanceOf(PoolBuffer.class);
            long lent = offsetIn(clientEnd.outboundPool(), data);
            Payload reply = client.requestResponse(sequenced(data, LARGE, seq)).block(TIMEOUT);
            try {
                assertThat(reply.metadata().getLong(0)).isEqualTo(seq);
                // Where the server's loan was: the reply's data is that memory, not a copy of it.
                assertThat(describe(reply.data(), replies))
                        .isEqualTo(expected(seq, LARGE, lentByServer.poll(10, TimeUnit.SECONDS)));
            } finally {
                reply.release();
            }
            assertThat(seenByServer.poll(10, TimeUnit.SECONDS)).isEqualTo(expected(seq, LARGE, lent));
        }
        awaitBlocksInUse(clientEnd, 0, TIMEOUT);
        awaitBlocksInUse(serverEnd, 0, TIMEOUT);
    }

    @Test
    void shouldStreamLoansMadeOnDemandByTheResponder() {
        ShmClientTransport transport = ShmClientTransport.create(socket);
        RSocket client = connect(transport);
        ByteBuffer inbound = transport.connections().get(0).inboundPool();
        int size = 1 << 20;
        long[] next = {0};
        Payload request = ByteBufPayload.create(
                ByteBufAllocator.DEFAULT.buffer(8).writeInt(size).writeInt(200));
        StepVerifier.create(client.requestStream(request).limitRate(8).map(p -> {
                    try {
                        return p.metadata().getLong(0) == next[0]
                                && describe(p.data(), inbound).startsWith(expected(next[0]++, size, -1));
                    } finally {
                        p.release();
                    }
                }))
                .expectNextCount(0)
                .thenConsumeWhile(Boolean::booleanValue)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(next[0]).as("payloads in order, each a view of the pool").isEqualTo(200);
        awaitBlocksInUse(accepted(1), 0, TIMEOUT);
    }

    @Test
    void shouldCopyALoanSentOverAnotherConnectionAndReturnItToItsPool() throws Exception {
        ShmClientTransport lender = ShmClientTransport.create(socket);
        connect(lender);
        ShmClientTransport other = ShmClientTransport.create(socket);
        RSocket otherClient = connect(other);
        ShmConnection lenderEnd = lender.connections().get(0);

        ByteBuf data = lender.loan(LARGE);
        assertThat(lenderEnd.poolBlocksInUse()).isPositive();
        Payload reply = otherClient.requestResponse(sequenced(data, LARGE, 5)).block(TIMEOUT);
        reply.release();

        // The server sees the payload whole; it came through the other connection (copied into its pool).
        String seen = seenByServer.poll(10, TimeUnit.SECONDS);
        assertThat(seen).startsWith(expected(5, LARGE, -1));
        awaitBlocksInUse(lenderEnd, 0, TIMEOUT);
        awaitBlocksInUse(other.connections().get(0), 0, TIMEOUT);
    }

    @Test
    void shouldCopySmallLoansAndReturnTheirBlocks() throws Exception {
        ShmClientTransport transport = ShmClientTransport.create(socket);
        RSocket client = connect(transport);
        ShmConnection end = transport.connections().get(0);
        ByteBuf data = transport.loan(512);
        assertThat(data).isInstanceOf(PoolBuffer.class);
        Payload reply = client.requestResponse(sequenced(data, 512, 3)).block(TIMEOUT);
        try {
            assertThat(reply.data().readableBytes()).isEqualTo(512);
            assertThat(reply.data().getLong(0)).isEqualTo(3);
        } finally {
            reply.release();
        }
        assertThat(seenByServer.poll(10, TimeUnit.SECONDS))
                .as("copied through the ring, not a view of the pool")
                .isEqualTo("512 readOnly=false first=3 last=3 inPool=false at=-1");
        awaitBlocksInUse(end, 0, TIMEOUT);
    }

    @Test
    void shouldLendOrdinaryBuffersWhenThePoolIsFullOrThereIsNoConnection() {
        ShmClientTransport transport = ShmClientTransport.create(socket);
        ByteBuf unconnected = transport.loan(1024);
        assertThat(unconnected).isNotInstanceOf(PoolBuffer.class);
        unconnected.release();

        connect(transport);
        ShmConnection end = transport.connections().get(0);
        List<ByteBuf> loans = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            loans.add(transport.loan(LARGE)); // 256 blocks each, data and room for the frame header
        }
        ByteBuf overflow = transport.loan(LARGE);
        loans.forEach(ByteBuf::release);
        assertThat(loans).allMatch(b -> b instanceof PoolBuffer);
        assertThat(overflow).as("the pool is full: an ordinary buffer").isNotInstanceOf(PoolBuffer.class);
        assertThat(overflow.capacity()).isEqualTo(LARGE);
        overflow.release();
        assertThat(end.poolBlocksInUse()).as("unsent loans go back").isZero();
    }

    /** A payload with {@code size} bytes of {@code data} (first and last long = seq) and seq as metadata. */
    private static Payload sequenced(ByteBuf data, int size, long seq) {
        data.writeLong(seq).writerIndex(size - Long.BYTES).writeLong(seq);
        return ByteBufPayload.create(
                data, ByteBufAllocator.DEFAULT.buffer(Long.BYTES).writeLong(seq));
    }

    /** The server end of the {@code n}th connection, once the server has accepted it. */
    private ShmConnection accepted(int n) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<ShmConnection> open;
        while ((open = serverTransport.connections()).size() < n) {
            assertThat(System.nanoTime() - deadline)
                    .as("connections accepted in time")
                    .isNegative();
            Thread.yield();
        }
        return open.get(n - 1);
    }

    private static ByteBuffer inboundPoolOf(List<ShmConnection> connections) {
        return connections.get(connections.size() - 1).inboundPool();
    }

    /** Where {@code data}'s readable bytes start in {@code pool}, or -1 when they are not all in it. */
    private static long offsetIn(ByteBuffer pool, ByteBuf data) {
        long start = BufferUtil.address(pool);
        long at = data.hasMemoryAddress() ? data.memoryAddress() + data.readerIndex() : -1;
        return at >= start && at + data.capacity() - data.readerIndex() <= start + pool.capacity() ? at - start : -1;
    }

    private static String describe(ByteBuf data, ByteBuffer pool) {
        return data.readableBytes() + " readOnly=" + data.isReadOnly() + " first=" + data.getLong(data.readerIndex())
                + " last=" + data.getLong(data.writerIndex() - Long.BYTES) + " inPool=" + (offsetIn(pool, data) >= 0)
                + " at=" + offsetIn(pool, data);
    }

    /** The description of a payload of {@code seq}, in the pool at {@code at} (-1: anywhere in it). */
    private static String expected(long seq, int size, long at) {
        return size + " readOnly=true first=" + seq + " last=" + seq + " inPool=true" + (at >= 0 ? " at=" + at : "");
    }
}
