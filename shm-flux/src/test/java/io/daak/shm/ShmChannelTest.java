package io.daak.shm;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.agrona.BufferUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

@ExtendWith(LeakWatch.class)
class ShmChannelTest {

    private final BlockingQueue<ShmChannel> accepted = new ArrayBlockingQueue<>(16);
    private Path socket;
    private ShmServer server;

    @BeforeEach
    void bind() {
        socket = TestSockets.socket("ch");
        server = ShmServer.bind(
                socket,
                ShmOptions.defaults()
                        .withRingCapacity(64 * 1024)
                        .withPool(64 * 1024, 64)
                        .withZeroCopyThreshold(32 * 1024),
                accepted::add);
    }

    @AfterEach
    void close() {
        server.dispose();
    }

    private ShmChannel serverSide() throws InterruptedException {
        ShmChannel ch = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(ch).as("accepted channel").isNotNull();
        return ch;
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void shouldCarryMessagesBothWaysInOrder() throws Exception {
        ShmChannel client = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
        ShmChannel srv = serverSide();
        StepVerifier.create(srv.receive()
                        .map(b -> b.toString(StandardCharsets.UTF_8))
                        .take(3))
                .then(() ->
                        client.send(Flux.just(text("a"), text("b"), text("c"))).subscribe())
                .expectNext("a", "b", "c")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        client.dispose();
    }

    @Test
    void shouldCarryMessagesLargerThanARecordAndThroughThePool() throws Exception {
        ShmChannel client = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
        ShmChannel srv = serverSide();
        // 64 KiB ring: records up to 8 KiB; 20 KiB is fragmented, 1 MiB travels through the pool,
        // 5 MiB (more than the 4 MiB pool) falls back to fragments.
        List<Integer> sizes = List.of(10, 8 * 1024, 20_000, 1 << 20, 5 << 20, 100);
        StepVerifier.create(srv.receive().map(ShmChannelTest::checksum).take(sizes.size()))
                .then(() -> client.send(Flux.fromIterable(sizes).map(ShmChannelTest::pattern))
                        .subscribe())
                .expectNextSequence(
                        sizes.stream().map(n -> checksum(pattern(n), true)).toList())
                .expectComplete()
                .verify(Duration.ofSeconds(20));
        awaitBlocksInUse((ShmConnection) client, 0, Duration.ofSeconds(10));
        client.dispose();
    }

    @Test
    void shouldCarryCompositesOfHeapAndDirectPartsByteForByte() throws Exception {
        // An RSocket frame over shm is such a composite: a heap header (FrameAllocator), then metadata
        // and data in whatever buffers the application made. Each part is copied into the ring; the
        // 20,000-byte one (more than a 8 KiB record) in fragments that cut across parts.
        ShmChannel client = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
        ShmChannel srv = serverSide();
        List<int[]> layouts = List.of(new int[] {6, 8, 64}, new int[] {1, 0, 1}, new int[] {9, 7_000, 12_991});
        List<String> expected = layouts.stream()
                .map(l -> {
                    ByteBuf whole = pattern(l[0] + l[1] + l[2]);
                    try {
                        return ByteBufUtil.hexDump(whole);
                    } finally {
                        whole.release();
                    }
                })
                .toList();
        StepVerifier.create(srv.receive().map(ByteBufUtil::hexDump).take(layouts.size()))
                .then(() -> client.send(Flux.fromIterable(layouts).map(ShmChannelTest::composite))
                        .subscribe())
                .expectNextSequence(expected)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        client.dispose();
    }

    /** Three parts of the given lengths, heap, direct and heap, filled with a pattern that runs across them. */
    private static ByteBuf composite(int[] lengths) {
        ByteBuf all = pattern(lengths[0] + lengths[1] + lengths[2]);
        try {
            ByteBuf header = Unpooled.buffer(lengths[0]).writeBytes(all, 0, lengths[0]);
            ByteBuf middle = Unpooled.directBuffer(Math.max(1, lengths[1])).writeBytes(all, lengths[0], lengths[1]);
            ByteBuf data = Unpooled.buffer(lengths[2]).writeBytes(all, lengths[0] + lengths[1], lengths[2]);
            return Unpooled.compositeBuffer().addComponents(true, header, middle, data);
        } finally {
            all.release();
        }
    }

    @Test
    void shouldFailASendWhoseLastMessageCouldNotBeWrittenBeforeClose() throws Exception {
        // Nobody reads on the server: three 20,000-byte messages fill the 64 KiB ring and the fourth,
        // the send's last, cannot be written. Closing gives up on it after a second; the send must
        // then fail, not report success for a message that never left.
        ShmChannel client = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
        serverSide();
        Mono<Void> sent =
                client.send(Flux.range(0, 4).map(i -> pattern(20_000))).cache();
        sent.subscribe(v -> {}, e -> {});
        awaitBacklogOf((ShmConnection) client, 60_000, Duration.ofSeconds(10)); // the three that fit
        client.dispose();
        StepVerifier.create(sent)
                .expectErrorSatisfies(e ->
                        assertThat(e).isInstanceOf(ShmPeerLostException.class).hasMessageContaining("is closed"))
                .verify(Duration.ofSeconds(10));
    }

    /** Waits, yielding, until {@code connection}'s outbound ring holds at least {@code bytes}. */
    private static void awaitBacklogOf(ShmConnection connection, int bytes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (connection.outboundBacklog() < bytes) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("outbound backlog " + connection.outboundBacklog() + " within " + timeout);
            }
            Thread.yield();
        }
    }

    @Test
    void shouldHandOverLoansWithoutLeakingBlocks() throws Exception {
        ShmConnection client = (ShmConnection) ShmChannel.connect(socket).block(Duration.ofSeconds(10));
        ShmChannel srv = serverSide();
        BlockingQueue<ByteBuf> kept = new ArrayBlockingQueue<>(4);
        srv.receive().subscribe(b -> kept.add(b.retain()));
        ByteBuf loan = client.loan(100_000);
        assertThat(loan).isInstanceOf(PoolBuffer.class);
        loan.writeBytes(pattern(100_000).array());
        assertThat(client.poolBlocksInUse()).isEqualTo(2);
        client.send(Mono.just(loan)).block(Duration.ofSeconds(10));
        ByteBuf got = kept.poll(10, TimeUnit.SECONDS);
        assertThat(got.isReadOnly()).isTrue();
        assertThat(checksum(got, false)).isEqualTo(checksum(pattern(100_000), true));
        assertThat(client.poolBlocksInUse()).as("held by the receiver").isEqualTo(2);
        got.release();
        // The receiver's I/O thread drops its own reference after onNext returns, which may be after
        // this thread's release: the blocks come back when the last of the two is gone.
        awaitBlocksInUse(client, 0, Duration.ofSeconds(10));
        ByteBuf unsent = client.loan(10_000);
        assertThat(client.poolBlocksInUse()).isEqualTo(1);
        unsent.release();
        assertThat(client.poolBlocksInUse()).as("an unsent loan goes back").isZero();
        client.dispose();
    }

    @Test
    void shouldHandLargeMessagesToTheReceiverInPlaceWithoutACopy() throws Exception {
        BlockingQueue<ShmChannel> bigAccepted = new ArrayBlockingQueue<>(1);
        Path bigSocket = TestSockets.socket("big");
        try (ShmServer big = ShmServer.bind(bigSocket, ShmOptions.defaults(), bigAccepted::add)) {
            ShmConnection client = (ShmConnection) ShmChannel.connect(bigSocket).block(Duration.ofSeconds(10));
            ShmConnection srv = (ShmConnection) bigAccepted.poll(10, TimeUnit.SECONDS);
            assertThat(srv).as("accepted channel").isNotNull();
            long poolStart = BufferUtil.address(srv.inboundPool());
            long poolEnd = poolStart + srv.inboundPool().capacity();
            int loanSize = 16 << 20;
            int copiedSize = 1 << 20;
            BlockingQueue<String> seen = new ArrayBlockingQueue<>(2);
            srv.receive().subscribe(b -> {
                long at = b.hasMemoryAddress() ? b.memoryAddress() + b.readerIndex() : -1;
                seen.add(b.readableBytes() + " readOnly=" + b.isReadOnly() + " inPool="
                        + (at >= poolStart && at + b.readableBytes() <= poolEnd) + " first=" + b.getLong(0)
                        + " last=" + b.getLong(b.readableBytes() - Long.BYTES));
            });

            // A loan: written in place by the sender, read in place by the receiver.
            ByteBuf loan = client.loan(loanSize);
            assertThat(loan).isInstanceOf(PoolBuffer.class);
            loan.writeLong(7).writerIndex(loanSize - Long.BYTES).writeLong(8);
            client.send(Mono.just(loan)).block(Duration.ofSeconds(10));
            // An ordinary buffer above the threshold: copied once into the pool, read in place.
            ByteBuf plain = Unpooled.directBuffer(copiedSize).writeLong(9);
            plain.writerIndex(copiedSize - Long.BYTES).writeLong(10);
            client.send(Mono.just(plain)).block(Duration.ofSeconds(10));

            assertThat(seen.poll(10, TimeUnit.SECONDS))
                    .isEqualTo(loanSize + " readOnly=true inPool=true first=7 last=8");
            assertThat(seen.poll(10, TimeUnit.SECONDS))
                    .isEqualTo(copiedSize + " readOnly=true inPool=true first=9 last=10");
            awaitBlocksInUse(client, 0, Duration.ofSeconds(10));
            client.dispose();
        }
    }

    @Test
    void shouldKeepTheOrderOfMessagesMadeOnDemandWhileTheRingIsFull() throws Exception {
        ShmConnection client = (ShmConnection) ShmChannel.connect(socket).block(Duration.ofSeconds(10));
        ShmChannel srv = serverSide();
        int count = 200_000;
        long[] next = {0};
        // The receiver asks for nothing until the ring is full: the sender then has a message half
        // way, messages queued, and a publisher asked for more from the I/O thread as they drain.
        StepVerifier.create(srv.receive().take(count).map(b -> b.getLong(0) == next[0]++), 0)
                .then(() -> client.send(Flux.range(0, count)
                                .map(i -> Unpooled.directBuffer(64).writeLong(i).writerIndex(64)))
                        .subscribe())
                .then(() -> awaitBacklog(client, Duration.ofSeconds(10)))
                .thenRequest(Long.MAX_VALUE)
                .thenConsumeWhile(Boolean::booleanValue)
                .as("every message in order")
                .expectComplete()
                .verify(Duration.ofSeconds(20));
        assertThat(next[0]).isEqualTo(count);
    }

    /** Waits, yielding, until {@code connection}'s outbound ring is full but for a record or two. */
    private static void awaitBacklog(ShmConnection connection, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (connection.outboundBacklog() < connection.outboundCapacity() - 256) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("outbound backlog " + connection.outboundBacklog() + " within " + timeout);
            }
            Thread.yield();
        }
    }

    @Test
    void shouldKeepSmallMessagesThatTheReceiverRetainsIntactAcrossReceiveBuffers() throws Exception {
        ShmChannel client = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
        ShmChannel srv = serverSide();
        int count = 5_000;
        int size = 100; // small: lent as views of shared receive buffers, 160 of them to a buffer
        List<ByteBuf> kept = new ArrayList<>();
        StepVerifier.create(srv.receive().take(count).doOnNext(b -> {
                    if (b.getInt(0) % 7 == 0) {
                        kept.add(b.retain()); // kept while the buffers around it are reused
                    }
                }))
                .then(() -> client.send(Flux.range(0, count).map(i -> {
                            ByteBuf b = Unpooled.directBuffer(size);
                            for (int k = 0; k < size / Integer.BYTES; k++) {
                                b.writeInt(i + k);
                            }
                            return b;
                        }))
                        .subscribe())
                .expectNextCount(count)
                .expectComplete()
                .verify(Duration.ofSeconds(20));
        try {
            assertThat(kept).hasSize((count + 6) / 7);
            for (ByteBuf b : kept) {
                int first = b.getInt(0);
                for (int k = 0; k < size / Integer.BYTES; k++) {
                    assertThat(b.getInt(k * Integer.BYTES))
                            .as("int %d of message %d", k, first)
                            .isEqualTo(first + k);
                }
            }
        } finally {
            kept.forEach(ByteBuf::release);
        }
    }

    @Test
    void shouldFailAReceiverThatReleasesALentMessage() throws Exception {
        ShmChannel client = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
        ShmChannel srv = serverSide();
        StepVerifier.create(srv.receive().doOnNext(ByteBuf::release))
                .then(() -> client.send(Mono.just(text("lent"))).subscribe())
                .expectNextCount(1)
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("released a message it did not retain"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(client.onClose()).expectComplete().verify(Duration.ofSeconds(10));
    }

    @Test
    void shouldCompleteTheReceiverWhenThePeerCloses() throws Exception {
        ShmChannel client = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
        ShmChannel srv = serverSide();
        StepVerifier.create(srv.receive().map(b -> b.toString(StandardCharsets.UTF_8)))
                .then(() -> client.send(Mono.just(text("bye")))
                        .then(Mono.fromRunnable(client::dispose))
                        .subscribe())
                .expectNext("bye")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(srv.onClose()).expectComplete().verify(Duration.ofSeconds(10));
    }

    @Test
    void shouldServeSeveralClientsAtOnce() throws Exception {
        ShmChannel a = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
        ShmChannel b = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
        ShmChannel s1 = serverSide();
        ShmChannel s2 = serverSide();
        assertThat(server.connections()).isEqualTo(2);
        for (ShmChannel s : List.of(s1, s2)) {
            s.send(s.receive().map(ByteBuf::retain)).subscribe();
        }
        for (ShmChannel c : List.of(a, b)) {
            StepVerifier.create(c.receive()
                            .map(x -> x.toString(StandardCharsets.UTF_8))
                            .take(2))
                    .then(() -> c.send(Flux.just(text("x" + c.hashCode()), text("y")))
                            .subscribe())
                    .expectNext("x" + c.hashCode(), "y")
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void shouldFailClearlyWithoutAServer() {
        StepVerifier.create(ShmChannel.connect(TestSockets.socket("none")))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("is the server running"))
                .verify(Duration.ofSeconds(10));
    }

    /** Waits, yielding, until {@code connection}'s pool has {@code expected} blocks in use; fails at the deadline. */
    static void awaitBlocksInUse(ShmConnection connection, int expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int inUse;
        while ((inUse = connection.poolBlocksInUse()) != expected) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(
                        "pool blocks in use: " + inUse + ", expected " + expected + " within " + timeout);
            }
            Thread.yield();
        }
    }

    static ByteBuf pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + n);
        }
        return Unpooled.wrappedBuffer(b);
    }

    static long checksum(ByteBuf b) {
        return checksum(b, false);
    }

    static long checksum(ByteBuf b, boolean release) {
        long h = b.readableBytes();
        byte[] bytes = ByteBufUtil.getBytes(b);
        for (byte x : bytes) {
            h = h * 31 + x;
        }
        if (release) {
            b.release();
        }
        return h;
    }
}
