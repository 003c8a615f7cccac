package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.Publication;
import io.daak.core.Service;
import io.daak.core.ServiceException;
import io.daak.core.ServiceHandler;
import io.daak.core.Topic;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** What happens around a remote handle's end: its own close, and a serving peer that goes away. */
@ExtendWith(NoLeaks.class)
class RemoteLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @org.junit.jupiter.api.extension.RegisterExtension
    static final NodeFixture.PerClass NODE = new NodeFixture.PerClass();

    @Test
    void connectionEventsShouldReplayTheStateAndCompleteOnClose() {
        Daak daak = Daak.connect(NODE.get().tcpUri().toString());
        daak.publish(Topic.of("lifecycle/events", Integer.class), 1).block(WAIT);
        StepVerifier.create(daak.connectionEvents())
                .assertNext(e -> {
                    assertThat(e.kind()).isEqualTo(io.daak.core.ConnectionEvent.Kind.CONNECTED);
                    assertThat(e.uri()).isEqualTo(NODE.get().tcpUri());
                    assertThat(e.gap()).isFalse();
                })
                .then(daak::close)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void aPublishAfterAcknowledgedTryPublishesShouldGetItsOwnResult() {
        Topic<Integer> topic = Topic.of("lifecycle/acks", Integer.class);
        try (Daak daak = Daak.connect(NODE.get().tcpUri().toString())) {
            io.daak.core.Publication<Integer> publication = daak.publication(topic);
            for (int round = 0; round < 3; round++) {
                // tryPublish wants no results: the node acknowledges runs of them with counts.
                for (int i = 0; i < 1_000; i++) {
                    assertThat(publication.tryPublish(i)).isTrue();
                }
                long expected = 1_001L * (round + 1);
                StepVerifier.create(publication.publish(-1))
                        .assertNext(r -> assertThat(r.sequence()).isEqualTo(expected))
                        .expectComplete()
                        .verify(WAIT);
            }
        }
    }

    @Test
    void closingAHandleShouldCompleteItsStreamsAndRefuseLaterCalls() {
        // As an in-process handle does: the user ended it, so its streams end normally, with no error.
        Daak daak = Daak.connect(NODE.get().tcpUri().toString());
        StepVerifier subscription = daak.subscribe(Topic.of("lifecycle/end", Integer.class))
                .as(StepVerifier::create)
                .expectSubscription()
                .expectComplete()
                .verifyLater();
        StepVerifier watch = daak.watch(io.daak.core.Selector.of("lifecycle/end/**", Integer.class))
                .as(StepVerifier::create)
                .expectSubscription()
                .expectComplete()
                .verifyLater();
        StepVerifier deliveries = daak.recv(io.daak.core.Queue.of("lifecycle/end", Integer.class))
                .as(StepVerifier::create)
                .expectSubscription()
                .expectComplete()
                .verifyLater();
        NodeFixture.awaitSubscribed(daak);
        daak.close();
        subscription.verify(WAIT);
        watch.verify(WAIT);
        deliveries.verify(WAIT);
        StepVerifier.create(daak.publish(Topic.of("lifecycle/end", Integer.class), 1))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("closed"))
                .verify(WAIT);
        StepVerifier.create(daak.subscribe(Topic.of("lifecycle/end", Integer.class)))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("closed"))
                .verify(WAIT);
    }

    @Test
    void closingAHandleWhileItResumesShouldCompleteItsStreamsAndDropNoError() throws Exception {
        java.util.List<Throwable> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
        reactor.core.publisher.Hooks.onErrorDropped(dropped::add);
        try (CuttableProxy proxy = new CuttableProxy(NODE.get().tcpAddress())) {
            Daak daak = Daak.connect("tcp://127.0.0.1:" + proxy.port()); // resumption is on by default
            StepVerifier subscription = daak.subscribe(Topic.of("lifecycle/resuming", Integer.class))
                    .as(StepVerifier::create)
                    .expectSubscription()
                    .expectComplete()
                    .verifyLater();
            NodeFixture.awaitSubscribed(daak);
            proxy.hold();
            proxy.cut(); // the client starts resuming, through a proxy that now never answers
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (proxy.held() == 0 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertThat(proxy.held()).as("resume attempts").isPositive();
            daak.close(); // while the resume waits for the node's answer
            subscription.verify(WAIT);
            assertThat(dropped)
                    .as("errors dropped by Reactor (logged as ERROR)")
                    .isEmpty();
        } finally {
            reactor.core.publisher.Hooks.resetOnErrorDropped();
        }
    }

    @Test
    void closingAResumingHandleShouldEndItsSessionOnTheNodeAtOnce() {
        int before = NODE.get().connections();
        Daak daak = Daak.connect(NODE.get().tcpUri().toString()); // resumption is on by default
        daak.subscribe(Topic.of("lifecycle/goodbye", Integer.class)).subscribe();
        NodeFixture.awaitSubscribed(daak);
        assertThat(NODE.get().connections()).isEqualTo(before + 1);
        daak.close();
        // Not after the 30 s the node would keep a dropped session for a resume.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (NODE.get().connections() > before && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
        assertThat(NODE.get().connections()).as("connections after close").isEqualTo(before);
    }

    @Test
    void closeShouldDeliverWhatTryPublishAcceptedBeforeIt() {
        Topic<Integer> topic = Topic.of("lifecycle/close", Integer.class);
        // As many as a publication queues before the node's first demand, so that every call is accepted
        // however late the channel opens (beyond it tryPublish may say false, which is its contract).
        int count = PublishChannel.MAX_PENDING;
        try (Daak subscriber = Daak.connect(NODE.get().tcpUri().toString())) {
            StepVerifier v = subscriber
                    .subscribe(topic)
                    .map(Message::value)
                    .take(count)
                    .as(StepVerifier::create)
                    .expectSubscription()
                    .expectNextSequence(IntStream.range(0, count).boxed().toList())
                    .expectComplete()
                    .verifyLater();
            // The subscription is in place once a publish through the node is seen by it.
            NodeFixture.awaitSubscribed(subscriber);
            Daak publisher = Daak.connect(NODE.get().webSocketUri().toString());
            Publication<Integer> publication = publisher.publication(topic);
            for (int i = 0; i < count; i++) {
                assertThat(publication.tryPublish(i)).isTrue();
            }
            publisher.close(); // at once: what was accepted must still arrive
            v.verify(WAIT);
        }
    }

    @Test
    void nodeRetentionByBytesShouldCountTheEncodedBytes() {
        try (DaakNode small = DaakNode.builder()
                        .host("127.0.0.1")
                        .tcpPort(0)
                        .noWebSocket()
                        .engine(io.daak.core.LocalOptions.defaults()
                                .retention(
                                        "sized/**",
                                        io.daak.core.Retention.count(1_000).withMaxBytes(10_000)))
                        .start();
                Daak daak = Daak.connect(small.tcpUri().toString())) {
            Topic<byte[]> topic = Topic.of("sized/frames", byte[].class);
            for (int i = 0; i < 20; i++) {
                byte[] frame = new byte[1_000];
                frame[0] = (byte) i;
                daak.publish(topic, frame).block(WAIT);
            }
            // 10,000 bytes hold the ten newest 1,000-byte frames (a value counted as 64 bytes would keep all 20)
            StepVerifier.create(daak.subscribe(
                                    topic.selector(),
                                    io.daak.core.SubscribeOptions.defaults().start(io.daak.core.Start.earliest()))
                            .map(m -> (int) m.value()[0])
                            .take(Duration.ofSeconds(1)))
                    .expectNext(10, 11, 12, 13, 14, 15, 16, 17, 18, 19)
                    .verifyComplete();
        }
    }

    @Test
    void aRequestInFlightShouldFailClearlyWhenItsServerDisconnects() throws InterruptedException {
        Service<String, String> service = Service.of("lifecycle/slow", String.class, String.class);
        Daak server = Daak.connect(NODE.get().tcpUri().toString());
        CountDownLatch received = new CountDownLatch(1);
        server.serve(service, ServiceHandler.requestReply(q -> {
                    received.countDown();
                    return Mono.never(); // holds the request until the server goes away
                }))
                .block(WAIT);
        try (Daak client = Daak.connect(NODE.get().tcpUri().toString())) {
            StepVerifier.create(client.request(service, "hello"))
                    .then(() -> {
                        try {
                            assertThat(received.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                                    .isTrue();
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                        server.close();
                    })
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(ServiceException.class)
                            .hasMessageContaining("lifecycle/slow")
                            .hasMessageContaining("disconnected"))
                    .verify(WAIT);
            // and the service is gone at once: the next request finds no responders
            StepVerifier.create(client.request(service, "again"))
                    .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("lifecycle/slow"))
                    .verify(WAIT);
        }
    }
}
