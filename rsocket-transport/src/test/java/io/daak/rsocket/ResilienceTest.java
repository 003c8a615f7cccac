package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.ConnectionEvent;
import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.Publication;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.daak.core.Topic;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Large payloads and network blips, over TCP and WebSocket. */
@ExtendWith(NoLeaks.class)
class ResilienceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @org.junit.jupiter.api.extension.RegisterExtension
    static final NodeFixture.PerClass NODE = new NodeFixture.PerClass();

    /** A proxy to the node's port for {@code transport}, whose connections a test can cut. */
    private static CuttableProxy proxyTo(String transport) throws java.io.IOException {
        return new CuttableProxy(
                transport.equals("tcp") ? NODE.get().tcpAddress() : NODE.get().webSocketAddress());
    }

    /** BLOCK: the publisher waits for the subscriber, so what a test measures is the cut, not a race. */
    private static final io.daak.core.SubscribeOptions BLOCKING =
            io.daak.core.SubscribeOptions.defaults().overflow(io.daak.core.Overflow.block(1024));

    /** The URI of the node through {@code proxy}, which forwards to the node's port for {@code transport}. */
    private static String through(CuttableProxy proxy, String transport) {
        return transport.equals("tcp") ? "tcp://127.0.0.1:" + proxy.port() : "ws://127.0.0.1:" + proxy.port() + "/";
    }

    private static URI uri(String transport) {
        return transport.equals("tcp") ? NODE.get().tcpUri() : NODE.get().webSocketUri();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void payloadsLargerThanOneFrameShouldTravelWhole(String transport) {
        byte[] big = new byte[20 << 20]; // past RSocket's 16 MiB frame limit
        for (int i = 0; i < big.length; i += 4096) {
            big[i] = (byte) (i / 4096);
        }
        Topic<byte[]> topic = Topic.of("big/" + transport, byte[].class);
        Service<byte[], Integer> size = Service.of("big/size/" + transport, byte[].class, Integer.class);
        // Paranoid leak detection records every access to a tracked buffer; WebSocket unmasks a client's
        // bytes eight at a time, so 20 MiB take minutes. Sample instead for this case (leaks still fail it).
        io.netty.util.ResourceLeakDetector.Level level = io.netty.util.ResourceLeakDetector.getLevel();
        if (transport.equals("ws")) {
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.ADVANCED);
        }
        try (Daak a = Daak.connect(uri(transport).toString());
                Daak b = Daak.connect(uri(transport).toString())) {
            StepVerifier v = b.subscribe(topic)
                    .map(Message::value)
                    .take(1)
                    .as(StepVerifier::create)
                    .assertNext(got -> assertThat(Arrays.equals(got, big)).isTrue())
                    .expectComplete()
                    .verifyLater();
            NodeFixture.awaitSubscribed(b);
            StepVerifier.create(a.publish(topic, big))
                    .assertNext(r -> assertThat(r.matched()).isEqualTo(1))
                    .verifyComplete();
            v.verify(WAIT);
            if (transport.equals("tcp")) {
                // The request/serve hop (two more 20 MiB transfers) runs over TCP only, to keep the suite short.
                Disposable served = b.serve(size, ServiceHandler.requestReply(q -> Mono.just(q.length)))
                        .block(WAIT);
                StepVerifier.create(a.request(size, big)).expectNext(big.length).verifyComplete();
                served.dispose();
            }
        } finally {
            io.netty.util.ResourceLeakDetector.setLevel(level);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void anOversizePayloadShouldFailClearlyAndTheConnectionStayUp(String transport) {
        try (DaakNode small = DaakNode.builder()
                        .host("127.0.0.1")
                        .tcpPort(0)
                        .webSocketPort(0)
                        .maxPayloadSize(1 << 20)
                        .start();
                Daak daak =
                        Daak.connect((transport.equals("tcp") ? small.tcpUri() : small.webSocketUri()).toString())) {
            Topic<byte[]> topic = Topic.of("oversize/a", byte[].class);
            StepVerifier.create(daak.publish(topic, new byte[2 << 20]))
                    .expectErrorSatisfies(
                            e -> assertThat(e.getMessage()).contains("size").contains("1048576"))
                    .verify(WAIT);
            StepVerifier.create(daak.publish(topic, new byte[1000]))
                    .assertNext(r -> assertThat(r.sequence()).isEqualTo(1))
                    .verifyComplete();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void aBlipShouldLoseNothingInFlight(String transport) throws Exception {
        Topic<Integer> topic = Topic.of("blip/seq/" + transport, Integer.class);
        int count = 20_000;
        try (CuttableProxy proxy = proxyTo(transport);
                Daak subscriber = Daak.connect(through(proxy, transport)); // resumption is on by default
                Daak publisher = Daak.connect(NODE.get().tcpUri().toString())) {
            java.util.concurrent.BlockingQueue<ConnectionEvent> events =
                    new java.util.concurrent.LinkedBlockingQueue<>();
            subscriber.connectionEvents().subscribe(events::add);
            AtomicLong next = new AtomicLong();
            AtomicLong gaps = new AtomicLong();
            CountDownLatch all = new CountDownLatch(count);
            CountDownLatch half = new CountDownLatch(count / 2);
            // BLOCK: the publisher waits for this subscriber, so what is measured is the blip, not a race.
            Disposable sub = subscriber.subscribe(topic.selector(), BLOCKING).subscribe(m -> {
                if (m.value() != next.getAndIncrement()) {
                    gaps.incrementAndGet();
                }
                half.countDown();
                all.countDown();
            });
            NodeFixture.awaitSubscribed(subscriber);
            Publication<Integer> publication = publisher.publication(topic);
            Thread pump = new Thread(() -> IntStream.range(0, count).forEach(i -> {
                while (!publication.tryPublish(i)) {
                    Thread.onSpinWait();
                }
            }));
            pump.start();
            assertThat(half.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            proxy.cut(); // the subscriber's connection drops mid-stream; its client resumes the session
            assertThat(all.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("received %d of %d after the blip", count - all.getCount(), count)
                    .isTrue();
            assertThat(gaps.get()).isZero();
            pump.join();
            sub.dispose();
            assertThat(nextEvent(events).kind()).isEqualTo(ConnectionEvent.Kind.CONNECTED);
            ConnectionEvent lost = nextEvent(events);
            assertThat(lost.kind()).isEqualTo(ConnectionEvent.Kind.DISCONNECTED);
            assertThat(lost.closedByPeer()).isFalse();
            ConnectionEvent resumed = nextEvent(events);
            assertThat(resumed.kind()).isEqualTo(ConnectionEvent.Kind.RESUMED);
            assertThat(resumed.gap()).isFalse();
            assertThat(resumed.downtime()).isPositive();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void aLostConnectionShouldReestablishTheSubscriptionWithoutAnError(String transport) throws Exception {
        Topic<Integer> topic = Topic.of("reconnect/seq/" + transport, Integer.class);
        try (CuttableProxy proxy = proxyTo(transport);
                Daak subscriber = Daak.connect(through(proxy, transport) + "?resume=false");
                Daak publisher = Daak.connect(NODE.get().tcpUri().toString())) {
            Watched watched = new Watched(subscriber, topic);
            java.util.concurrent.BlockingQueue<ConnectionEvent> events = watched.events;
            java.util.concurrent.BlockingQueue<Integer> got = watched.got;
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = watched.failed;
            Disposable sub = watched.subscription;
            publisher.publish(topic, 1).block(WAIT);
            assertThat(got.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);

            proxy.cut(); // the connection is gone; the node drops the subscription with it

            // Publish until the re-established subscription sees a message (what came before is the gap).
            Disposable pump = reactor.core.publisher.Flux.interval(Duration.ofMillis(20))
                    .onBackpressureDrop()
                    .concatMap(i -> publisher.publish(topic, 1_000 + i.intValue()))
                    .subscribe();
            try {
                Integer after = got.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                while (after != null && after < 1_000) {
                    after = got.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
                assertThat(after)
                        .as("a message after the reconnect")
                        .isNotNull()
                        .isGreaterThanOrEqualTo(1_000);
                assertThat(failed.get()).as("the subscriber saw no error").isNull();
                assertThat(nextEvent(events).kind()).isEqualTo(ConnectionEvent.Kind.CONNECTED);
                assertThat(nextEvent(events).kind()).isEqualTo(ConnectionEvent.Kind.DISCONNECTED);
                ConnectionEvent back = nextEvent(events);
                assertThat(back.kind()).isEqualTo(ConnectionEvent.Kind.RECONNECTED);
                assertThat(back.gap()).isTrue();
            } finally {
                pump.dispose();
                sub.dispose();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void aServerShouldRegisterAgainAfterALostConnection(String transport) throws Exception {
        io.daak.core.Service<String, String> echo =
                io.daak.core.Service.of("reconnect/echo/" + transport, String.class, String.class);
        try (CuttableProxy proxy = proxyTo(transport);
                Daak server = Daak.connect(through(proxy, transport) + "?resume=false");
                Daak client = Daak.connect(NODE.get().tcpUri().toString())) {
            server.serve(echo, ServiceHandler.requestReply(q -> Mono.just("echo " + q)))
                    .block(WAIT);
            StepVerifier.create(client.request(echo, "one"))
                    .expectNext("echo one")
                    .verifyComplete();

            proxy.cut(); // the node removes the registration with the connection at once

            // Until the node notices the cut, a request reaches the old registration and fails saying the server
            // disconnected; until the server has registered again, none responds; then it is served.
            String answer = reactor.core.publisher.Mono.defer(() -> client.request(echo, "two"))
                    .retryWhen(reactor.util.retry.Retry.fixedDelay(200, Duration.ofMillis(50))
                            .filter(e -> e instanceof io.daak.core.NoRespondersException
                                    || (e instanceof io.daak.core.ServiceException
                                            && String.valueOf(e.getMessage()).contains("disconnected"))))
                    .block(WAIT);
            assertThat(answer).isEqualTo("echo two");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void publishesAcceptedBeforeALostConnectionShouldAllArrive(String transport) throws Exception {
        Topic<Integer> topic = Topic.of("resend/seq/" + transport, Integer.class);
        int count = 20_000;
        try (CuttableProxy proxy = proxyTo(transport);
                // No resumption: the publish channel itself must carry what was not answered over the loss.
                Daak publisher = Daak.connect(through(proxy, transport) + "?resume=false");
                Daak subscriber = Daak.connect(NODE.get().tcpUri().toString())) {
            java.util.Set<Integer> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            CountDownLatch all = new CountDownLatch(count);
            CountDownLatch half = new CountDownLatch(count / 2);
            Disposable sub = subscriber.subscribe(topic.selector(), BLOCKING).subscribe(m -> {
                if (seen.add(m.value())) { // at least once: a resent publish may arrive twice
                    half.countDown();
                    all.countDown();
                }
            });
            NodeFixture.awaitSubscribed(subscriber);
            Publication<Integer> publication = publisher.publication(topic);
            java.util.List<Mono<io.daak.core.PublishResult>> confirmed =
                    new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread pump = new Thread(() -> IntStream.range(0, count).forEach(i -> {
                if (i % 100 == 0) {
                    confirmed.add(publication.publish(i).cache()); // subscribed at once by cache().subscribe()
                    confirmed.get(confirmed.size() - 1).subscribe(r -> {}, e -> {});
                    return;
                }
                while (!publication.tryPublish(i)) {
                    Thread.onSpinWait();
                }
            }));
            pump.start();
            assertThat(half.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            proxy.cut(); // the publisher's connection drops with publishes sent and not yet answered
            assertThat(all.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("received %d of %d accepted publishes across the loss", count - all.getCount(), count)
                    .isTrue();
            pump.join();
            for (Mono<io.daak.core.PublishResult> c : confirmed) {
                StepVerifier.create(c).expectNextCount(1).expectComplete().verify(WAIT);
            }
            sub.dispose();
        }
    }

    /** A subscriber handle's connection events and what one subscription of it received. */
    private static final class Watched {
        final java.util.concurrent.BlockingQueue<ConnectionEvent> events =
                new java.util.concurrent.LinkedBlockingQueue<>();
        final java.util.concurrent.BlockingQueue<Integer> got = new java.util.concurrent.LinkedBlockingQueue<>();
        final java.util.concurrent.atomic.AtomicReference<Throwable> failed =
                new java.util.concurrent.atomic.AtomicReference<>();
        final Disposable subscription;

        Watched(Daak subscriber, Topic<Integer> topic) {
            subscriber.connectionEvents().subscribe(events::add);
            subscription = subscriber.subscribe(topic).subscribe(m -> got.add(m.value()), failed::set);
            NodeFixture.awaitSubscribed(subscriber);
        }
    }

    private static ConnectionEvent nextEvent(java.util.concurrent.BlockingQueue<ConnectionEvent> events)
            throws InterruptedException {
        ConnectionEvent e = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(e).as("a connection event within %s", WAIT).isNotNull();
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void aRestartedNodeShouldBeReconnectedToWithResumptionOn(String transport) throws Exception {
        Topic<Integer> topic = Topic.of("restart/seq/" + transport, Integer.class);
        DaakNode first =
                DaakNode.builder().host("127.0.0.1").tcpPort(0).webSocketPort(0).start();
        int tcpPort = first.tcpAddress().getPort();
        int wsPort = first.webSocketAddress().getPort();
        String at = transport.equals("tcp") ? "tcp://127.0.0.1:" + tcpPort : "ws://127.0.0.1:" + wsPort + "/";
        DaakNode second = null;
        try (Daak subscriber = Daak.connect(at)) {
            Watched watched = new Watched(subscriber, topic);
            java.util.concurrent.BlockingQueue<ConnectionEvent> events = watched.events;
            java.util.concurrent.BlockingQueue<Integer> got = watched.got;
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = watched.failed;
            Disposable sub = watched.subscription;
            try (Daak publisher = Daak.connect("tcp://127.0.0.1:" + tcpPort)) {
                publisher.publish(topic, 1).block(WAIT);
            }
            assertThat(got.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(nextEvent(events).kind()).isEqualTo(ConnectionEvent.Kind.CONNECTED);

            first.close(); // the node says goodbye: the client ends the session and makes a new one later
            ConnectionEvent lost = nextEvent(events);
            assertThat(lost.kind()).isEqualTo(ConnectionEvent.Kind.DISCONNECTED);
            assertThat(lost.closedByPeer()).as("%s", lost).isTrue();
            second = DaakNode.builder()
                    .host("127.0.0.1")
                    .tcpPort(tcpPort)
                    .webSocketPort(wsPort)
                    .start();
            ConnectionEvent back = nextEvent(events);
            assertThat(back.kind()).isEqualTo(ConnectionEvent.Kind.RECONNECTED);
            assertThat(back.gap()).isTrue();

            try (Daak publisher = Daak.connect("tcp://127.0.0.1:" + tcpPort)) {
                Integer after = null;
                for (int i = 0; i < 200 && after == null; i++) {
                    publisher.publish(topic, 2).block(WAIT);
                    after = got.poll(100, TimeUnit.MILLISECONDS);
                }
                assertThat(after).as("a message from the restarted node").isEqualTo(2);
            }
            assertThat(failed.get()).as("the subscriber saw no error").isNull();
            sub.dispose();
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }
}
