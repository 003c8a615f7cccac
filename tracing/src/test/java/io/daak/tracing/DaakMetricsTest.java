package io.daak.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.Delivery;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.Overflow;
import io.daak.core.Queue;
import io.daak.core.Selector;
import io.daak.core.Service;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import io.daak.rsocket.DaakNode;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

class DaakMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void shouldCountPublishedDeliveredBytesAndLatencyPerTopicGroup() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DaakMetrics metrics = DaakMetrics.of(registry);
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(metrics))) {
            Flux<Message<String>> sub = daak.subscribe(Selector.of("sensors/**", String.class))
                    .take(3)
                    .cache();
            sub.subscribe();
            daak.publish(Topic.of("sensors/a", String.class), "12345").block(WAIT);
            daak.publish(Topic.of("sensors/b/c", String.class), "123").block(WAIT);
            daak.publish(Topic.of("sensors/a", String.class), "1").block(WAIT);
            sub.blockLast(WAIT);
            assertThat(registry.get("daak.messages.published")
                            .tag("topic", "sensors")
                            .counter()
                            .count())
                    .isEqualTo(3);
            assertThat(registry.get("daak.bytes.published")
                            .tag("topic", "sensors")
                            .counter()
                            .count())
                    .isEqualTo(9);
            assertThat(registry.get("daak.messages.delivered")
                            .tag("topic", "sensors")
                            .functionCounter()
                            .count())
                    .isEqualTo(3);
            FunctionTimer latency = registry.get("daak.delivery.latency")
                    .tag("topic", "sensors")
                    .functionTimer();
            assertThat(latency.count()).isEqualTo(3);
            assertThat(latency.totalTime(TimeUnit.SECONDS)).isGreaterThan(0).isLessThan(15);
        }
    }

    @Test
    void shouldRecordLatencyWithMaxAndHistogramWhenAsked() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DaakMetrics metrics =
                DaakMetrics.builder(registry).latencyHistogram(true).build();
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(metrics))) {
            Flux<Message<String>> sub = daak.subscribe(Selector.of("sensors/**", String.class))
                    .take(2)
                    .cache();
            sub.subscribe();
            daak.publish(Topic.of("sensors/a", String.class), "1").block(WAIT);
            daak.publish(Topic.of("sensors/a", String.class), "2").block(WAIT);
            sub.blockLast(WAIT);
            Timer latency = registry.get("daak.delivery.latency")
                    .tag("topic", "sensors")
                    .timer();
            assertThat(latency.count()).isEqualTo(2);
            assertThat(latency.max(TimeUnit.SECONDS)).isGreaterThan(0).isLessThan(5);
            assertThat(registry.get("daak.messages.delivered")
                            .tag("topic", "sensors")
                            .functionCounter()
                            .count())
                    .isEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldShowASlowSubscribersBacklogRiseAndFall(boolean withTracing) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LocalOptions options = LocalOptions.defaults().interceptor(DaakMetrics.of(registry));
        if (withTracing) { // its operator sits between the metrics and the engine's buffer
            ObservationRegistry observations = ObservationRegistry.create();
            observations.observationConfig().observationHandler(context -> true);
            options = options.interceptor(DaakTracing.of(observations));
        }
        try (Daak daak = Daak.local(options)) {
            BaseSubscriber<Message<String>> slow = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(Subscription subscription) {
                    // no demand: what is published waits in the subscription's buffer
                }
            };
            daak.subscribe(
                            Selector.of("sensors/**", String.class),
                            SubscribeOptions.defaults().overflow(Overflow.buffer(100)))
                    .subscribe(slow);
            Gauge backlog = registry.get("daak.subscriptions.backlog")
                    .tag("topic", "sensors")
                    .gauge();
            assertThat(backlog.value()).isZero();
            for (int i = 0; i < 50; i++) {
                daak.publish(Topic.of("sensors/imu", String.class), "r" + i).block(WAIT);
            }
            assertThat(backlog.value()).isEqualTo(50);
            slow.request(30);
            assertThat(backlog.value()).isEqualTo(20);
            slow.request(20);
            assertThat(backlog.value()).isZero();
            daak.publish(Topic.of("sensors/imu", String.class), "more").block(WAIT);
            assertThat(backlog.value()).isEqualTo(1);
            slow.cancel();
            assertThat(backlog.value()).isZero();
            assertThat(registry.get("daak.subscriptions.active").gauge().value())
                    .isZero();
        }
    }

    @Test
    void shouldShowARemoteSubscribersBacklogOnTheNode() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (DaakNode node = DaakNode.builder()
                        .host("127.0.0.1")
                        .tcpPort(0)
                        .noWebSocket()
                        .engine(LocalOptions.defaults().interceptor(DaakMetrics.of(registry)))
                        .start();
                Daak a = Daak.connect(node.tcpUri().toString());
                Daak b = Daak.connect(node.tcpUri().toString())) {
            BaseSubscriber<Message<String>> slow = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(Subscription subscription) {
                    subscription.request(1); // takes the probe below, then nothing until asked
                }
            };
            b.subscribe(
                            Selector.of("chat/**", String.class),
                            SubscribeOptions.defaults().overflow(Overflow.buffer(10_000)))
                    .subscribe(slow);
            Topic<String> t = Topic.of("chat/room", String.class);
            Flux.interval(Duration.ofMillis(5))
                    .onBackpressureDrop()
                    .concatMap(i -> a.publish(t, "probe"))
                    .takeUntil(p -> p.matched() >= 1)
                    .blockLast(WAIT);
            int published = 3000;
            a.publishAll(t, Flux.range(0, published).map(i -> "m" + i)).blockLast(WAIT);
            Gauge backlog = registry.get("daak.subscriptions.backlog")
                    .tag("topic", "chat")
                    .gauge();
            // The client's transport takes a window of messages ahead of its subscriber; the rest wait in the node.
            assertThat(backlog.value()).isGreaterThan(published / 2.0);
            slow.request(Long.MAX_VALUE);
            awaitValue(backlog, 0.0);
        }
    }

    /** Waits, with a deadline, until the gauge reads {@code expected}. */
    private static void awaitValue(Gauge gauge, double expected) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (gauge.value() != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the gauge " + gauge.getId() + " reads " + gauge.value() + ", not " + expected
                        + ", after " + WAIT);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void shouldGroupTopicsBeyondTheLimitAsOther() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DaakMetrics metrics =
                DaakMetrics.builder(registry).topicTag(t -> t).maxTopicTags(2).build();
        try (Daak daak = Daak.intercepted(Daak.local(), metrics)) {
            for (int i = 0; i < 5; i++) {
                daak.publish(Topic.of("t" + i, String.class), "x").block(WAIT);
            }
        }
        assertThat(registry.get("daak.messages.published").counters()).hasSize(3);
        assertThat(registry.get("daak.messages.published")
                        .tag("topic", "other")
                        .counter()
                        .count())
                .isEqualTo(3);
    }

    @Test
    void shouldCountQueuesRequestsAndGaps() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Daak daak = Daak.intercepted(Daak.local(), DaakMetrics.of(registry))) {
            Queue<String> q = Queue.of("jobs/a", String.class);
            daak.send(q, "1").block(WAIT);
            daak.send(q, "2").block(WAIT);
            assertThat(registry.get("daak.queue.depth").gauge().value()).isEqualTo(2);
            daak.recv(q).take(1).doOnNext(Delivery::nack).blockLast(WAIT);
            daak.recv(q).take(2).doOnNext(Delivery::ack).blockLast(WAIT);
            assertThat(registry.get("daak.queue.redeliveries").counter().count())
                    .isEqualTo(1);
            assertThat(registry.get("daak.queue.depth").gauge().value()).isZero();

            Service<String, String> echo = Service.of("echo", String.class, String.class);
            daak.serve(echo, s -> Mono.just(s)).block(WAIT);
            daak.request(echo, "x").block(WAIT);
            assertThat(registry.get("daak.request")
                            .tags("service", "echo", "outcome", "success", "kind", "request")
                            .timer()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("daak.handle")
                            .tags("service", "echo", "outcome", "success")
                            .timer()
                            .count())
                    .isEqualTo(1);
        }
    }

    @Test
    void shouldServeTheNodesMetricsToPrometheus() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DaakMetrics metrics = DaakMetrics.of(registry);
        try (DaakNode node = DaakNode.builder()
                        .host("127.0.0.1")
                        .tcpPort(0)
                        .webSocketPort(0)
                        .engine(LocalOptions.defaults().interceptor(metrics))
                        .start();
                MetricsEndpoint http = MetricsEndpoint.start(registry, "127.0.0.1", 0);
                Daak a = Daak.connect(node.tcpUri().toString());
                Daak b = Daak.connect(node.tcpUri().toString())) {
            metrics.bindConnections(node::connections);
            Flux<Message<String>> sub =
                    b.subscribe(Topic.of("chat/room", String.class)).take(1).cache();
            sub.subscribe();
            Topic<String> t = Topic.of("chat/room", String.class);
            Flux.interval(Duration.ofMillis(5))
                    .onBackpressureDrop()
                    .concatMap(i -> a.publish(t, "hello"))
                    .takeUntil(p -> p.matched() >= 1)
                    .blockLast(WAIT);
            sub.blockLast(WAIT);
            String text = HttpClient.create()
                    .get()
                    .uri(http.url())
                    .responseContent()
                    .aggregate()
                    .asString()
                    .block(WAIT);
            assertThat(text)
                    .contains("daak_messages_delivered_total{topic=\"chat\"} 1.0")
                    .contains("daak_delivery_latency_seconds_count{topic=\"chat\"} 1")
                    .contains("daak_connections 2.0")
                    .contains("daak_subscriptions_active ")
                    .containsPattern("daak_messages_published_total\\{topic=\"chat\"} \\d+\\.0");
        }
    }
}
