package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Races between publishers on several threads and BLOCK / DROP subscribers on others. */
class TopicsRaceTest {

    private static final int TOPICS = 4;
    private static final int EACH = 2_000;

    @RepeatedTest(20)
    void shouldDeliverEverythingInOrderToASlowBlockSubscriberOfSeveralTopics() throws InterruptedException {
        Scheduler consumer = Schedulers.newSingle("consumer");
        Scheduler producers = Schedulers.newParallel("producers", TOPICS);
        try (Daak daak = Daak.local()) {
            Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
            CountDownLatch all = new CountDownLatch(TOPICS * EACH);
            Disposable sub = daak.subscribe(
                            Selector.of("race/*", Integer.class),
                            SubscribeOptions.defaults().overflow(Overflow.block(4)))
                    .publishOn(consumer, 1)
                    .subscribe(m -> {
                        seen.computeIfAbsent(m.topic(), k -> new ArrayList<>()).add(m.value());
                        all.countDown();
                    });
            for (int t = 0; t < TOPICS; t++) {
                Topic<Integer> topic = Topic.of("race/" + t, Integer.class);
                daak.publishAll(topic, Flux.range(0, EACH))
                        .subscribeOn(producers)
                        .subscribe();
            }
            assertThat(all.await(30, TimeUnit.SECONDS))
                    .as("delivered %d of %d", TOPICS * EACH - all.getCount(), TOPICS * EACH)
                    .isTrue();
            sub.dispose();
            assertThat(seen).hasSize(TOPICS);
            for (List<Integer> values : seen.values()) {
                assertThat(values).hasSize(EACH).isSorted().doesNotHaveDuplicates();
            }
        } finally {
            consumer.dispose();
            producers.dispose();
        }
    }

    @RepeatedTest(20)
    void shouldNeverDeliverMoreThanDemandUnderConcurrentPublishing() throws InterruptedException {
        Scheduler producers = Schedulers.newParallel("producers", TOPICS);
        try (Daak daak = Daak.local()) {
            CountDownLatch published = new CountDownLatch(TOPICS);
            List<Integer> got = new ArrayList<>();
            reactor.test.StepVerifier.create(
                            daak.subscribe(
                                            Selector.of("demand/*", Integer.class),
                                            SubscribeOptions.defaults().overflow(Overflow.dropOldest(8)))
                                    .map(Message::value),
                            3)
                    .then(() -> {
                        for (int t = 0; t < TOPICS; t++) {
                            Topic<Integer> topic = Topic.of("demand/" + t, Integer.class);
                            daak.publishAll(topic, Flux.range(0, EACH))
                                    .subscribeOn(producers)
                                    .doOnComplete(published::countDown)
                                    .subscribe();
                        }
                    })
                    .recordWith(() -> got)
                    .expectNextCount(3)
                    .then(() -> {
                        try {
                            assertThat(published.await(30, TimeUnit.SECONDS)).isTrue();
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                    })
                    .thenRequest(100)
                    .expectNextCount(8) // only the 8 newest buffered survive
                    .expectNoEvent(Duration.ofMillis(20))
                    .thenCancel()
                    .verify(Duration.ofSeconds(30));
        } finally {
            producers.dispose();
        }
    }
}
