package io.daak.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The raw channel's fast path: {@code tryOffer}, {@code writable()} and {@code receiveBatches()}. */
@ExtendWith(LeakWatch.class)
class ShmFastPathTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final BlockingQueue<ShmChannel> accepted = new ArrayBlockingQueue<>(4);
    private Path socket;
    private ShmServer server;
    private ShmConnection client;
    private ShmChannel srv;

    @BeforeEach
    void connect() throws InterruptedException {
        socket = TestSockets.socket("fast");
        server = ShmServer.bind(
                socket,
                ShmOptions.defaults()
                        .withRingCapacity(64 * 1024)
                        .withPool(64 * 1024, 64)
                        .withZeroCopyThreshold(32 * 1024),
                accepted::add);
        client = (ShmConnection) ShmChannel.connect(socket).block(TIMEOUT);
        srv = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(srv).as("accepted channel").isNotNull();
    }

    @AfterEach
    void close() {
        client.dispose();
        server.dispose();
    }

    /** A message of {@code size} bytes: its sequence number, then bytes derived from it. */
    private static void fill(ByteBuf b, long sequence, int size) {
        b.clear().writeLong(sequence);
        while (b.writerIndex() < size) {
            b.writeByte((int) (sequence * 7 + b.writerIndex()));
        }
    }

    /** Checks a message read in place; returns its sequence number. */
    private static long check(ByteBuf b, int offset, int length) {
        long sequence = b.getLong(offset);
        for (int i = Long.BYTES; i < length; i++) {
            if (b.getByte(offset + i) != (byte) (sequence * 7 + i)) {
                throw new AssertionError("message " + sequence + " differs at byte " + i);
            }
        }
        return sequence;
    }

    @Test
    void shouldOfferUntilTheRingIsFullThenWaitForRoomAndDeliverEverythingInOrder() throws Exception {
        ByteBuf buffer = Unpooled.directBuffer(100);
        try {
            // Nobody reads yet: the ring fills and tryOffer says so.
            long offered = 0;
            fill(buffer, offered, 100);
            while (client.tryOffer(buffer, 0, 100)) {
                fill(buffer, ++offered, 100); // the buffer is the caller's again at once
            }
            assertThat(offered).as("messages in a 64 KiB ring").isBetween(500L, 600L);
            assertThat(client.outboundCapacity() - client.outboundBacklog()).isLessThan(120);
            Mono<Void> writable = client.writable().cache();
            writable.subscribe();
            StepVerifier.create(writable)
                    .expectSubscription()
                    .expectNoEvent(Duration.ofMillis(100))
                    .thenCancel()
                    .verify();

            long total = 5_000;
            List<Integer> batchSizes = new ArrayList<>();
            AtomicReference<String> failure = new AtomicReference<>();
            CountDownLatch all = new CountDownLatch(1);
            long[] expected = {0};
            srv.receiveBatches().subscribe(batch -> {
                batchSizes.add(batch.size());
                while (batch.next()) {
                    long seq = check(batch.buffer(), batch.offset(), batch.length());
                    if (seq != expected[0] || batch.length() != 100) {
                        failure.compareAndSet(
                                null, "got " + seq + " of " + batch.length() + " bytes, expected " + expected[0]);
                    }
                    if (++expected[0] == total) {
                        all.countDown();
                    }
                }
            });
            StepVerifier.create(writable).expectComplete().verify(TIMEOUT);
            while (offered < total) {
                if (client.tryOffer(buffer, 0, 100)) {
                    fill(buffer, ++offered, 100);
                } else {
                    client.writable().block(TIMEOUT);
                }
            }
            assertThat(all.await(10, TimeUnit.SECONDS))
                    .as("all " + total + " messages arrived")
                    .isTrue();
            assertThat(failure.get()).isNull();
            assertThat(batchSizes.get(0))
                    .as("the first batch: everything in the ring up to its end")
                    .isGreaterThan(100);
            assertThat(batchSizes.stream().mapToInt(Integer::intValue).max().orElseThrow())
                    .isLessThanOrEqualTo(256);
        } finally {
            buffer.release();
        }
    }

    @Test
    void shouldInterleaveOfferedAndSentMessagesKeepingEachSendersOrder() throws Exception {
        int each = 50_000;
        long[] next = new long[2];
        AtomicReference<String> failure = new AtomicReference<>();
        CountDownLatch all = new CountDownLatch(1);
        srv.receiveBatches().subscribe(batch -> {
            while (batch.next()) {
                ByteBuf b = batch.buffer();
                int source = b.getByte(batch.offset());
                long seq = b.getLong(batch.offset() + 1);
                if (seq != next[source]) {
                    failure.compareAndSet(null, "source " + source + ": " + seq + " after " + (next[source] - 1));
                }
                next[source] = seq + 1;
                if (next[0] == each && next[1] == each) {
                    all.countDown();
                }
            }
        });
        // Source 1: a Flux sent through the I/O thread, made on demand; source 0: offered from this thread.
        Mono<Void> sent = client.send(Flux.range(0, each).map(i -> Unpooled.directBuffer(40)
                        .writeByte(1)
                        .writeLong(i)
                        .writerIndex(40)))
                .cache();
        sent.subscribe();
        ByteBuf buffer = Unpooled.directBuffer(24);
        try {
            for (long i = 0; i < each; i++) {
                buffer.setByte(0, 0).setLong(1, i).writerIndex(24);
                while (!client.tryOffer(buffer, 0, 24)) {
                    client.writable().block(TIMEOUT);
                }
            }
        } finally {
            buffer.release();
        }
        StepVerifier.create(sent).expectComplete().verify(TIMEOUT);
        assertThat(all.await(10, TimeUnit.SECONDS))
                .as("both sequences complete")
                .isTrue();
        assertThat(failure.get()).isNull();
    }

    @Test
    void shouldDeliverFragmentedAndPooledMessagesAsBatchesOfOne() throws Exception {
        // 64 KiB ring: records up to 8 KiB (the last message fills one); 20,000 B travels in fragments,
        // 40,000 B through the pool.
        List<Integer> sizes = List.of(16, 20_000, 16, 40_000, 8, 8 * 1024);
        BlockingQueue<String> seen = new ArrayBlockingQueue<>(16);
        BlockingQueue<ByteBuf> kept = new ArrayBlockingQueue<>(16);
        srv.receiveBatches().subscribe(batch -> {
            while (batch.next()) {
                long seq = check(batch.buffer(), batch.offset(), batch.length());
                seen.add(seq + ":" + batch.length() + (batch.size() == 1 ? "" : " of " + batch.size()));
                kept.add(batch.retainedMessage());
            }
        });
        List<ByteBuf> messages = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            ByteBuf b = Unpooled.directBuffer(sizes.get(i));
            fill(b, i, sizes.get(i));
            messages.add(b);
        }
        client.send(Flux.fromIterable(messages)).block(TIMEOUT);
        for (int i = 0; i < sizes.size(); i++) {
            String s = seen.poll(10, TimeUnit.SECONDS);
            assertThat(s).as("message " + i).startsWith(i + ":" + sizes.get(i));
            ByteBuf k = kept.poll(10, TimeUnit.SECONDS);
            try {
                assertThat(k.readableBytes()).isEqualTo(sizes.get(i));
                assertThat(check(k, k.readerIndex(), k.readableBytes()))
                        .as("a kept message stays intact")
                        .isEqualTo(i);
            } finally {
                k.release();
            }
        }
        ShmChannelTest.awaitBlocksInUse(client, 0, TIMEOUT);
    }

    @Test
    void shouldLendBatchesOnlyDuringOnNext() throws Exception {
        BlockingQueue<ShmBatch> batches = new ArrayBlockingQueue<>(2);
        BlockingQueue<Throwable> refused = new ArrayBlockingQueue<>(2);
        srv.receiveBatches().subscribe(batch -> {
            assertThat(batch.next()).isTrue();
            try {
                batch.buffer().release();
            } catch (IllegalStateException e) {
                refused.add(e);
            }
            batches.add(batch);
        });
        ByteBuf one = Unpooled.directBuffer(8).writeLong(1);
        try {
            assertThat(client.tryOffer(one, 0, 8)).isTrue();
        } finally {
            one.release();
        }
        ShmBatch batch = batches.poll(10, TimeUnit.SECONDS);
        assertThat(refused.poll(10, TimeUnit.SECONDS)).hasMessageContaining("never retain or release the buffer");
        // onNext may still be running: the batch is cleared once it returns.
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (batch.size() != 0) {
            assertThat(System.nanoTime() - deadline)
                    .as("the batch is cleared after onNext")
                    .isNegative();
            Thread.yield();
        }
        assertThatThrownBy(batch::buffer)
                .isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("valid only during onNext");
        assertThatThrownBy(() -> srv.receive().blockFirst(TIMEOUT)).hasMessageContaining("allow only one subscriber");
    }

    @Test
    void shouldRefuseWhatTryOfferCannotTakeAndFailClearlyAfterClose() throws Exception {
        ByteBuf big = Unpooled.directBuffer(client.maxOfferLength() + 1).writerIndex(client.maxOfferLength() + 1);
        try {
            assertThat(client.maxOfferLength()).isEqualTo(8 * 1024);
            assertThatThrownBy(() -> client.tryOffer(big, 0, client.maxOfferLength() + 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxOfferLength() = " + client.maxOfferLength())
                    .hasMessageContaining("send()");
            assertThatThrownBy(() -> client.tryOffer(big, 10, client.maxOfferLength()))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            client.dispose();
            StepVerifier.create(client.onClose()).expectComplete().verify(TIMEOUT);
            assertThatThrownBy(() -> client.tryOffer(big, 0, 8))
                    .isInstanceOf(ShmPeerLostException.class)
                    .hasMessageContaining("is closed");
            StepVerifier.create(client.writable())
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(ShmPeerLostException.class)
                            .hasMessageContaining("is closed"))
                    .verify(TIMEOUT);
        } finally {
            big.release();
        }
    }

    @Test
    void shouldFailAWaitingWritableWhenTheChannelCloses() {
        ByteBuf buffer = Unpooled.directBuffer(1000).writerIndex(1000);
        try {
            while (client.tryOffer(buffer, 0, 1000)) {
                // fill the ring: the server does not read
            }
        } finally {
            buffer.release();
        }
        StepVerifier.create(client.writable())
                .then(srv::dispose)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ShmPeerLostException.class))
                .verify(TIMEOUT);
    }
}
