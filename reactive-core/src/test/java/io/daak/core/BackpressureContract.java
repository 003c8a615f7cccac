package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** End-to-end backpressure: every overflow policy, isolation of slow subscribers, drop counting. */
public interface BackpressureContract extends ContractSupport {

    Duration WAIT = Duration.ofSeconds(10);

    private List<PublishResult> publishAll(Topic<Integer> topic, int count) {
        return daak().publishAll(topic, Flux.range(1, count)).collectList().block(WAIT);
    }

    @Test
    default void shouldDeliverOnlyWhatWasRequested() {
        Topic<Integer> topic = Topic.of(unique("demand"), Integer.class);
        StepVerifier.create(daak().subscribe(topic).map(Message::value), 0)
                .then(() -> publishAll(topic, 5))
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(2)
                .expectNext(1, 2)
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(3)
                .expectNext(3, 4, 5)
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldDropOldestWhenTheBufferIsFull() {
        Topic<Integer> topic = Topic.of(unique("dropOldest"), Integer.class);
        StepVerifier.create(
                        daak().subscribe(
                                        topic.selector(),
                                        SubscribeOptions.defaults().overflow(Overflow.dropOldest(3)))
                                .map(Message::value),
                        0)
                .then(() -> {
                    List<PublishResult> results = publishAll(topic, 10);
                    assertThat(results.subList(0, 3)).allMatch(r -> r.dropped() == 0);
                    assertThat(results.subList(3, 10)).allMatch(r -> r.dropped() == 1 && r.matched() == 1);
                })
                .thenRequest(10)
                .expectNext(8, 9, 10)
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldDropLatestWhenTheBufferIsFull() {
        Topic<Integer> topic = Topic.of(unique("dropLatest"), Integer.class);
        StepVerifier.create(
                        daak().subscribe(
                                        topic.selector(),
                                        SubscribeOptions.defaults().overflow(Overflow.dropLatest(3)))
                                .map(Message::sequence),
                        0)
                .then(() -> {
                    List<PublishResult> results = publishAll(topic, 10);
                    assertThat(results.stream().mapToInt(PublishResult::dropped).sum())
                            .isEqualTo(7);
                })
                .thenRequest(10)
                .expectNext(1L, 2L, 3L)
                .then(() -> publishAll(topic, 1))
                .expectNext(11L) // the gap in sequence numbers shows the subscriber what it missed
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldFailWithOverflowWhenTheBufferPolicyOverflows() {
        Topic<Integer> topic = Topic.of(unique("buffer"), Integer.class);
        StepVerifier.create(
                        daak().subscribe(
                                        topic.selector(),
                                        SubscribeOptions.defaults().overflow(Overflow.buffer(2))),
                        0)
                .then(() -> publishAll(topic, 3))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(OverflowException.class)
                        .hasMessageContaining(topic.name())
                        .hasMessageContaining("BUFFER(2)"))
                .verify(WAIT);
        StepVerifier.create(daak().publish(topic, 4))
                .assertNext(r -> assertThat(r.matched())
                        .as("the failed subscription is gone")
                        .isZero())
                .verifyComplete();
    }

    @Test
    default void shouldFailAtOnceUnderErrorPolicyWhenThereIsNoDemand() {
        Topic<Integer> topic = Topic.of(unique("error"), Integer.class);
        StepVerifier.create(
                        daak().subscribe(
                                        topic.selector(),
                                        SubscribeOptions.defaults().overflow(Overflow.error()))
                                .map(Message::value),
                        1)
                .then(() -> publishAll(topic, 1))
                .expectNext(1)
                .then(() -> publishAll(topic, 1))
                .expectError(OverflowException.class)
                .verify(WAIT);
    }

    @Test
    default void shouldMakeThePublisherWaitUnderBlockUntilThereIsRoom() {
        Topic<Integer> topic = Topic.of(unique("block"), Integer.class);
        AtomicInteger published = new AtomicInteger();
        StepVerifier.create(
                        daak().subscribe(
                                        topic.selector(),
                                        SubscribeOptions.defaults().overflow(Overflow.block(2)))
                                .map(Message::value),
                        0)
                .then(() -> daak().publishAll(topic, Flux.range(1, 10))
                        .doOnNext(r -> published.incrementAndGet())
                        .subscribe())
                .then(() -> awaitValue(published, 2))
                .expectNoEvent(Duration.ofMillis(100))
                .then(() -> assertThat(published.get())
                        .as("publisher waits for room")
                        .isEqualTo(2))
                .thenRequest(3)
                .expectNext(1, 2, 3)
                .then(() -> awaitValue(published, 5))
                .thenRequest(Long.MAX_VALUE)
                .expectNext(4, 5, 6, 7, 8, 9, 10)
                .then(() -> awaitValue(published, 10))
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldRefuseTryPublishWhileABlockSubscriberIsFull() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                tryPublishSeesFullBlockSubscribers(), "this handle's tryPublish cannot see a full BLOCK subscriber");
        Topic<Integer> topic = Topic.of(unique("tryBlock"), Integer.class);
        Publication<Integer> publication = daak().publication(topic);
        StepVerifier.create(
                        daak().subscribe(
                                        topic.selector(),
                                        SubscribeOptions.defaults().overflow(Overflow.block(2)))
                                .map(Message::value),
                        0)
                .then(() -> {
                    assertThat(publication.tryPublish(1)).isTrue();
                    assertThat(publication.tryPublish(2)).isTrue();
                    assertThat(publication.tryPublish(3))
                            .as("full: nothing published")
                            .isFalse();
                })
                .thenRequest(1)
                .expectNext(1)
                .then(() -> assertThat(publication.tryPublish(3)).isTrue())
                .thenRequest(5)
                .expectNext(2, 3)
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldReleaseBlockedPublishersWhenTheBlockingSubscriberCancels() {
        Topic<Integer> topic = Topic.of(unique("blockCancel"), Integer.class);
        Disposable slow = daak().subscribe(
                        topic.selector(), SubscribeOptions.defaults().overflow(Overflow.block(1)))
                .subscribeWith(requesting(0));
        publishAll(topic, 1);
        Mono<PublishResult> blocked = daak().publish(topic, 2);
        StepVerifier.create(blocked)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(100))
                .then(slow::dispose)
                .assertNext(r -> assertThat(r.matched()).isZero())
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    default void shouldNotLetASlowSubscriberDelayAFastOne() throws InterruptedException {
        Topic<Integer> topic = Topic.of(unique("isolation"), Integer.class);
        int count = 10_000;
        CountDownLatch fastDone = new CountDownLatch(count);
        Disposable slow = daak().subscribe(
                        topic.selector(), SubscribeOptions.defaults().overflow(Overflow.dropOldest(16)))
                .subscribeWith(requesting(1)); // takes one, then stalls
        Disposable fast = daak().subscribe(topic).subscribe(m -> fastDone.countDown());
        try {
            List<PublishResult> results = publishAll(topic, count);
            assertThat(fastDone.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(results).allMatch(r -> r.matched() == 2);
            int dropped = results.stream().mapToInt(PublishResult::dropped).sum();
            assertThat(dropped).as("the slow subscriber kept 1 + 16").isEqualTo(count - 17);
        } finally {
            slow.dispose();
            fast.dispose();
        }
    }

    /** A subscriber that requests {@code n} at first and nothing more. */
    private static <T> BaseSubscriber<T> requesting(long n) {
        return new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                if (n > 0) {
                    request(n);
                }
            }
        };
    }

    private static void awaitValue(AtomicInteger value, int expected) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (value.get() < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("value stayed at " + value.get() + ", expected " + expected);
            }
            Thread.yield();
        }
    }
}
