package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Publish/subscribe, push: fan-out, selectors, fields, ordering and concurrency. */
public interface PubSubContract extends ContractSupport {

    Duration WAIT = Duration.ofSeconds(10);

    @Test
    default void shouldFanOutToEveryMatchingSubscriber() {
        String base = unique("fanout");
        Topic<String> topic = Topic.of(base + "/a", String.class);
        StepVerifier first = daak().subscribe(topic)
                .map(Message::value)
                .take(2)
                .as(StepVerifier::create)
                .expectNext("one", "two")
                .expectComplete()
                .verifyLater();
        StepVerifier second = daak().subscribe(Selector.of(base + "/*", String.class))
                .map(Message::value)
                .take(2)
                .as(StepVerifier::create)
                .expectNext("one", "two")
                .expectComplete()
                .verifyLater();
        StepVerifier.create(daak().publish(topic, "one").then(daak().publish(topic, "two")))
                .assertNext(r -> {
                    assertThat(r.matched()).isEqualTo(2);
                    assertThat(r.dropped()).isZero();
                    assertThat(r.sequence()).isEqualTo(2);
                })
                .verifyComplete();
        first.verify(WAIT);
        second.verify(WAIT);
    }

    @Test
    default void shouldMatchSingleAndMultiSegmentWildcards() {
        String base = unique("wild");
        List<String> names = List.of(base + "/x/temp", base + "/y/temp", base + "/x/hum", base + "/x/deep/temp");
        Flux<String> one =
                daak().subscribe(Selector.of(base + "/*/temp", String.class)).map(Message::topic);
        Flux<String> any =
                daak().subscribe(Selector.of(base + "/**", String.class)).map(Message::topic);
        Flux<String> tail =
                daak().subscribe(Selector.of(base + "/**/temp", String.class)).map(Message::topic);
        StepVerifier v1 = one.take(2)
                .as(StepVerifier::create)
                .expectNext(base + "/x/temp", base + "/y/temp")
                .expectComplete()
                .verifyLater();
        StepVerifier v2 = any.take(4)
                .as(StepVerifier::create)
                .expectNextSequence(names)
                .expectComplete()
                .verifyLater();
        StepVerifier v3 = tail.take(3)
                .as(StepVerifier::create)
                .expectNext(base + "/x/temp", base + "/y/temp", base + "/x/deep/temp")
                .expectComplete()
                .verifyLater();
        for (String n : names) {
            daak().publish(Topic.of(n, String.class), "v").block(WAIT);
        }
        v1.verify(WAIT);
        v2.verify(WAIT);
        v3.verify(WAIT);
    }

    @Test
    default void shouldReportNoMatchWhenNobodySubscribes() {
        Topic<String> topic = Topic.of(unique("nobody"), String.class);
        StepVerifier.create(daak().publish(topic, "x"))
                .assertNext(r -> {
                    assertThat(r.matched()).isZero();
                    assertThat(r.topic()).isEqualTo(topic.name());
                })
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    default void shouldCarryFieldsToTheSubscriber() {
        Topic<String> topic = Topic.of(unique("fields"), String.class);
        Instant stamp = Instant.parse("2026-01-02T03:04:05.123456789Z");
        StepVerifier v = daak().subscribe(topic)
                .take(1)
                .as(StepVerifier::create)
                .assertNext(m -> {
                    assertThat(m.topic()).isEqualTo(topic.name());
                    assertThat(m.value()).isEqualTo("hello");
                    assertThat(m.headers()).containsEntry("unit", "celsius");
                    assertThat(m.sender()).isEqualTo("robot-7");
                    assertThat(m.priority()).isEqualTo(3);
                    assertThat(m.timestamp()).isEqualTo(stamp);
                    assertThat(m.sequence()).isEqualTo(1);
                })
                .expectComplete()
                .verifyLater();
        daak().publish(
                        topic,
                        "hello",
                        Fields.none()
                                .header("unit", "celsius")
                                .sender("robot-7")
                                .priority(3)
                                .timestamp(stamp))
                .block(WAIT);
        v.verify(WAIT);
    }

    @Test
    default void shouldStampMessagesWithTheClockWhenNoTimestampIsGiven() {
        Topic<String> topic = Topic.of(unique("clock"), String.class);
        Instant before = Instant.now().minusSeconds(1);
        StepVerifier v = daak().subscribe(topic)
                .take(1)
                .as(StepVerifier::create)
                .assertNext(m -> assertThat(m.timestamp())
                        .isBetween(before, Instant.now().plusSeconds(1)))
                .expectComplete()
                .verifyLater();
        daak().publish(topic, "x").block(WAIT);
        v.verify(WAIT);
    }

    @Test
    default void shouldStopDeliveringAfterCancel() {
        Topic<String> topic = Topic.of(unique("cancel"), String.class);
        StepVerifier.create(daak().subscribe(topic).map(Message::value))
                .then(() -> daak().publish(topic, "a").block(WAIT))
                .expectNext("a")
                .thenCancel()
                .verify(WAIT);
        StepVerifier.create(daak().publish(topic, "b"))
                .assertNext(r -> assertThat(r.matched()).isZero())
                .verifyComplete();
    }

    @Test
    default void shouldNotPublishUntilSubscribed() {
        Topic<String> topic = Topic.of(unique("lazy"), String.class);
        Mono<PublishResult> pending = daak().publish(topic, "later");
        StepVerifier v = daak().subscribe(topic)
                .map(Message::value)
                .take(1)
                .as(StepVerifier::create)
                .expectNext("later")
                .expectComplete()
                .verifyLater();
        pending.block(WAIT);
        v.verify(WAIT);
    }

    @Test
    default void shouldFailSubscriptionWhoseTypeDoesNotMatchTheTopic() {
        String name = unique("types");
        StepVerifier v = daak().subscribe(Selector.of(name, Integer.class))
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(DaakException.class)
                        .hasMessageContaining(name)
                        .hasMessageContaining("java.lang.String")
                        .hasMessageContaining("java.lang.Integer"))
                .verifyLater();
        daak().publish(Topic.of(name, String.class), "not a number").block(WAIT);
        v.verify(WAIT);
    }

    @Test
    default void shouldKeepEachPublishersOrderAndLoseNothingUnderConcurrentPublishing() throws Exception {
        String base = unique("concurrent");
        int publishers = 4;
        int each = 5_000;
        ConcurrentHashMap<String, List<Integer>> seen = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(publishers * each);
        ConcurrentLinkedQueue<Long> sequences = new ConcurrentLinkedQueue<>();
        Disposable sub = daak().subscribe(
                        Selector.of(base, String.class),
                        SubscribeOptions.defaults().overflow(Overflow.buffer(publishers * each)))
                .subscribe(m -> {
                    String[] parts = m.value().split(":");
                    seen.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
                    sequences.add(m.sequence());
                    all.countDown();
                });
        Topic<String> topic = Topic.of(base, String.class);
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            for (int p = 0; p < publishers; p++) {
                String id = "p" + p;
                pool.execute(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        daak().publish(topic, id + ":" + i).block(WAIT);
                    }
                });
            }
            go.countDown();
            assertThat(all.await(30, TimeUnit.SECONDS))
                    .as("all %d messages delivered", publishers * each)
                    .isTrue();
        } finally {
            pool.shutdownNow();
            sub.dispose();
        }
        assertThat(seen).hasSize(publishers);
        for (List<Integer> values : seen.values()) {
            assertThat(values).hasSize(each).isSorted();
        }
        List<Long> seqs = new ArrayList<>(sequences);
        assertThat(seqs).hasSize(publishers * each).isSorted().doesNotHaveDuplicates();
    }

    @Test
    default void shouldPublishThroughAPublication() {
        Topic<String> topic = Topic.of(unique("publication"), String.class);
        Publication<String> publication = daak().publication(topic);
        assertThat(publication.topic()).isEqualTo(topic);
        StepVerifier v = daak().subscribe(topic)
                .take(3)
                .as(StepVerifier::create)
                .assertNext(m -> assertThat(m.value()).isEqualTo("a"))
                .assertNext(m -> assertThat(m.headers()).containsEntry("k", "v"))
                .assertNext(m -> assertThat(m.sequence()).isEqualTo(3))
                .expectComplete()
                .verifyLater();
        assertThat(publication.tryPublish("a")).isTrue();
        assertThat(publication.tryPublish("b", Fields.none().header("k", "v"))).isTrue();
        StepVerifier.create(publication.publish("c"))
                .assertNext(r -> assertThat(r.sequence()).isEqualTo(3))
                .verifyComplete();
        v.verify(WAIT);
    }

    @Test
    default void shouldPublishAStreamInOrder() {
        Topic<Integer> topic = Topic.of(unique("stream"), Integer.class);
        StepVerifier v = daak().subscribe(topic)
                .map(Message::value)
                .take(100)
                .as(StepVerifier::create)
                .expectNextSequence(
                        java.util.stream.IntStream.range(0, 100).boxed().toList())
                .expectComplete()
                .verifyLater();
        StepVerifier.create(daak().publishAll(topic, Flux.range(0, 100)).map(PublishResult::sequence))
                .expectNextSequence(
                        java.util.stream.LongStream.rangeClosed(1, 100).boxed().toList())
                .expectComplete()
                .verify(WAIT);
        v.verify(WAIT);
    }
}
