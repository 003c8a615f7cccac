package io.daak.shm;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.rsocket.Closeable;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.ServerTransport;
import io.rsocket.util.ByteBufPayload;
import io.rsocket.util.DefaultPayload;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * What any transport must do for plain rsocket-java: one contract, run by shm and by the TCP baseline
 * (in the spirit of rsocket-java's {@code TransportTest}).
 */
abstract class RSocketTransportContract {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private Closeable server;
    private RSocket client;
    private final CountDownLatch firedAndForgotten = new CountDownLatch(3);

    abstract ServerTransport<? extends Closeable> serverTransport();

    abstract ClientTransport clientTransport(Closeable server);

    int mtu() {
        return 0;
    }

    @BeforeEach
    void start() {
        RSocket handler = new RSocket() {
            @Override
            public Mono<Payload> requestResponse(Payload p) {
                if (p.data().readableBytes() > 1024) {
                    return Mono.just(p);
                }
                String data = p.getDataUtf8();
                String meta = p.hasMetadata() ? p.getMetadataUtf8() : "";
                p.release();
                if (data.startsWith("fail")) {
                    return Mono.error(new IllegalArgumentException("asked to fail: " + data));
                }
                return Mono.just(DefaultPayload.create("echo:" + data, meta));
            }

            @Override
            public Flux<Payload> requestStream(Payload p) {
                String ask = p.getDataUtf8();
                p.release();
                if (ask.startsWith("padded ")) { // n payloads of 200 bytes: the number, then spaces
                    int n = Integer.parseInt(ask.substring("padded ".length()));
                    return Flux.range(0, n)
                            .map(i -> ByteBufPayload.create(String.format(java.util.Locale.ROOT, "%-200d", i)));
                }
                int n = Integer.parseInt(ask);
                return Flux.range(0, n).map(i -> ByteBufPayload.create("" + i));
            }

            @Override
            public Mono<Void> fireAndForget(Payload p) {
                p.release();
                firedAndForgotten.countDown();
                return Mono.empty();
            }

            @Override
            public Flux<Payload> requestChannel(Publisher<Payload> payloads) {
                return Flux.from(payloads).map(p -> {
                    String s = p.getDataUtf8();
                    p.release();
                    return ByteBufPayload.create(s.toUpperCase(java.util.Locale.ROOT));
                });
            }

            @Override
            public Mono<Void> metadataPush(Payload p) {
                p.release();
                return Mono.empty();
            }
        };
        server = RSocketServer.create(SocketAcceptor.with(handler))
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .fragment(mtu())
                .bind(serverTransport())
                .block(TIMEOUT);
        client = RSocketConnector.create()
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .fragment(mtu())
                .connect(clientTransport(server))
                .block(TIMEOUT);
    }

    @AfterEach
    void stop() {
        client.dispose();
        server.dispose();
        server.onClose().block(TIMEOUT);
    }

    @Test
    void shouldAnswerRequestResponse() {
        StepVerifier.create(client.requestResponse(DefaultPayload.create("hi", "meta"))
                        .map(p -> {
                            String s = p.getDataUtf8() + "|" + p.getMetadataUtf8();
                            p.release();
                            return s;
                        }))
                .expectNext("echo:hi|meta")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void shouldAnswerManyConcurrentRequests() {
        StepVerifier.create(Flux.range(0, 2000)
                        .flatMap(i -> client.requestResponse(ByteBufPayload.create("" + i)), 64)
                        .map(p -> {
                            p.release();
                            return 1;
                        })
                        .count())
                .expectNext(2000L)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void shouldStreamWithBackpressure() {
        StepVerifier.create(
                        client.requestStream(DefaultPayload.create("5000")).map(p -> {
                            int i = Integer.parseInt(p.getDataUtf8());
                            p.release();
                            return i;
                        }),
                        10)
                .expectNext(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
                .thenRequest(Long.MAX_VALUE)
                .expectNextCount(5_000 - 10)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void shouldKeepTheOrderOfABurstLargerThanTheTransportHolds() {
        // Unbounded demand: the responder emits all 60,000 payloads (12 MB, six times a 2 MiB shm ring)
        // at once on the thread that received the request; they must arrive whole and in order.
        int n = 60_000;
        int[] next = {0};
        StepVerifier.create(client.requestStream(ByteBufPayload.create("padded " + n))
                        .map(p -> {
                            try {
                                String s = p.getDataUtf8();
                                return s.length() == 200 && Integer.parseInt(s.trim()) == next[0]++;
                            } finally {
                                p.release();
                            }
                        })
                        .filter(inOrder -> !inOrder)
                        .count())
                .expectNext(0L)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(next[0]).isEqualTo(n);
    }

    @Test
    void shouldFireAndForget() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            client.fireAndForget(DefaultPayload.create("x")).block(TIMEOUT);
        }
        assertThat(firedAndForgotten.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .isTrue();
    }

    @Test
    void shouldRunAChannel() {
        StepVerifier.create(client.requestChannel(Flux.just("a", "b", "c").map(DefaultPayload::create))
                        .map(p -> {
                            String s = p.getDataUtf8();
                            p.release();
                            return s;
                        }))
                .expectNext("A", "B", "C")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void shouldCarryApplicationErrors() {
        StepVerifier.create(client.requestResponse(DefaultPayload.create("fail now")))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(ApplicationErrorException.class)
                        .hasMessageContaining("asked to fail: fail now"))
                .verify(TIMEOUT);
    }

    int largePayloadSize() {
        return 4 << 20;
    }

    @Test
    void shouldCarryLargePayloads() {
        int size = largePayloadSize();
        ByteBuf data = ByteBufAllocator.DEFAULT.directBuffer(size);
        for (int i = 0; i < size / 4; i++) {
            data.writeInt(i * 7);
        }
        long expected = ShmChannelTest.checksum(data.duplicate(), false);
        StepVerifier.create(client.requestResponse(
                                ByteBufPayload.create(data, Unpooled.copiedBuffer("m", StandardCharsets.UTF_8)))
                        .map(p -> {
                            long sum = ShmChannelTest.checksum(p.data(), false);
                            p.release();
                            return sum;
                        }))
                .expectNext(expected)
                .expectComplete()
                .verify(TIMEOUT);
    }
}
