package io.daak.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;

/**
 * Child process of the two-process tests. {@code server <socket> <count> <size>}: serves one client,
 * checks the sequence of the {@code count} messages it receives and sends its own {@code count}; prints
 * READY, then OK or FAIL. {@code client <socket> <count> <size>}: the same from the connecting side.
 * {@code hold <socket>}: connects, prints READY, receives forever (to be killed).
 */
public final class SequencePeer {

    private SequencePeer() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path socket = Path.of(args[1]);
        if (mode.equals("hold-server")) {
            ShmServer.bind(
                    socket, ShmOptions.defaults().withRingCapacity(64 * 1024).withPool(64 * 1024, 16), ch -> {
                        System.out.println("CONNECTED " + ch.peerPid());
                        ch.receive().subscribe(b -> {}, e -> {});
                    });
            System.out.println("READY " + ProcessHandle.current().pid());
            new CountDownLatch(1).await();
        }
        if (mode.equals("stall-server")) {
            ShmServer.bind(
                    socket, ShmOptions.defaults().withRingCapacity(64 * 1024), ch -> System.out.println("CONNECTED"));
            System.out.println("READY " + ProcessHandle.current().pid());
            new CountDownLatch(1).await();
        }
        if (mode.equals("rsocket-server")) {
            io.rsocket.core.RSocketServer.create(io.rsocket.SocketAcceptor.forRequestStream(p -> {
                        p.release();
                        return Flux.interval(Duration.ofMillis(1))
                                .map(i -> io.rsocket.util.DefaultPayload.create("" + i));
                    }))
                    .bind(ShmServerTransport.create(socket))
                    .block(Duration.ofSeconds(10));
            System.out.println("READY " + ProcessHandle.current().pid());
            new CountDownLatch(1).await();
        }
        if (mode.equals("no-exports")) {
            try {
                ShmChannel.connect(socket).block(Duration.ofSeconds(10));
                System.out.println("CONNECTED");
            } catch (RuntimeException e) {
                System.out.println("FAILED " + e.getMessage());
            }
            System.exit(0);
        }
        if (mode.equals("hold")) {
            ShmChannel ch = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
            ch.receive().subscribe(b -> {}, e -> {});
            System.out.println("READY " + ProcessHandle.current().pid());
            new CountDownLatch(1).await();
        }
        long count = Long.parseLong(args[2]);
        int size = Integer.parseInt(args[3]);
        AtomicReference<ShmChannel> channel = new AtomicReference<>();
        CountDownLatch connected = new CountDownLatch(1);
        if (mode.equals("fast-server")) {
            ShmServer server = ShmServer.bind(socket, ShmOptions.defaults(), ch -> {
                channel.set(ch);
                connected.countDown();
            });
            System.out.println("READY " + ProcessHandle.current().pid());
            connected.await();
            System.out.println(exchangeFast(channel.get(), count, size));
            channel.get().onClose().block(Duration.ofSeconds(30));
            server.dispose();
            System.exit(0);
        }
        if (mode.equals("server")) {
            ShmServer server = ShmServer.bind(socket, ShmOptions.defaults(), ch -> {
                channel.set(ch);
                connected.countDown();
            });
            System.out.println("READY " + ProcessHandle.current().pid());
            connected.await();
            String result = exchange(channel.get(), count, size);
            System.out.println(result);
            channel.get().onClose().block(Duration.ofSeconds(30));
            server.dispose();
        } else {
            ShmChannel ch = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
            System.out.println("READY " + ProcessHandle.current().pid());
            String result = exchange(ch, count, size);
            System.out.println(result);
            ch.dispose();
            ch.onClose().block(Duration.ofSeconds(10));
        }
        System.exit(0);
    }

    /** The size of fast-path message {@code seq}: from 8 to {@code maxSize} bytes, so that records wrap unevenly. */
    static int fastSize(long seq, int maxSize) {
        return 8 + (int) (seq % (maxSize - 7));
    }

    /**
     * The fast path: offers {@code count} numbered messages of {@link #fastSize} bytes from one reused
     * buffer (waiting with {@code writable()} when the ring is full) and checks the {@code count}
     * received in batches, read in place; "OK ..." or "FAIL ...".
     */
    static String exchangeFast(ShmChannel ch, long count, int maxSize) throws InterruptedException {
        long[] expected = {0};
        AtomicReference<String> failure = new AtomicReference<>();
        CountDownLatch received = new CountDownLatch(1);
        ch.receiveBatches()
                .subscribe(
                        batch -> {
                            while (batch.next()) {
                                long want = expected[0];
                                ByteBuf b = batch.buffer();
                                long seq = b.getLong(batch.offset());
                                byte last = b.getByte(batch.offset() + batch.length() - 1);
                                if (batch.length() != fastSize(want, maxSize) || seq != want || last != (byte) want) {
                                    failure.compareAndSet(
                                            null,
                                            "message " + want + " had seq " + seq + " size " + batch.length()
                                                    + " last byte " + last);
                                }
                                if (++expected[0] == count) {
                                    received.countDown();
                                }
                            }
                        },
                        e -> {
                            failure.compareAndSet(null, e.toString());
                            received.countDown();
                        });
        ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(maxSize);
        try {
            for (long seq = 0; seq < count; seq++) {
                int size = fastSize(seq, maxSize);
                buffer.setLong(0, seq).setByte(size - 1, (byte) seq);
                while (!ch.tryOffer(buffer, 0, size)) {
                    ch.writable().block(Duration.ofSeconds(30));
                }
            }
        } finally {
            buffer.release();
        }
        if (!received.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
            return "FAIL received " + expected[0] + " of " + count + " within 60 s";
        }
        String f = failure.get();
        return f == null ? "OK received=" + count : "FAIL " + f;
    }

    /** Sends {@code count} numbered messages and checks the {@code count} received; "OK ..." or "FAIL ...". */
    static String exchange(ShmChannel ch, long count, int size) throws InterruptedException {
        AtomicLong expected = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        CountDownLatch received = new CountDownLatch(1);
        ch.receive()
                .subscribe(
                        b -> {
                            long seq = b.getLong(b.readerIndex());
                            if (b.readableBytes() != size || seq != expected.get()) {
                                failure.compareAndSet(
                                        null,
                                        "message " + expected.get() + " had seq " + seq + " size " + b.readableBytes());
                            }
                            if (expected.incrementAndGet() == count) {
                                received.countDown();
                            }
                        },
                        e -> {
                            failure.compareAndSet(null, e.toString());
                            received.countDown();
                        });
        Flux<ByteBuf> out = Flux.<ByteBuf, Long>generate(() -> 0L, (seq, sink) -> {
            ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(size);
            b.writeLong(seq);
            b.writerIndex(size);
            sink.next(b);
            if (seq + 1 == count) {
                sink.complete();
            }
            return seq + 1;
        });
        ch.send(out).block(Duration.ofSeconds(120));
        received.await();
        String f = failure.get();
        return f == null ? "OK received=" + expected.get() : "FAIL " + f;
    }
}
