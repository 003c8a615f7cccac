package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Point-to-point queues: competing receivers, acknowledgements, redelivery, dead letters. */
public interface QueueContract extends ContractSupport {

    Duration WAIT = Duration.ofSeconds(10);

    @Test
    default void shouldDeliverASentMessage() {
        Queue<String> queue = Queue.of(unique("q/basic"), String.class);
        daak().send(queue, "job-1", Fields.none().header("kind", "resize")).block(WAIT);
        StepVerifier.create(daak().recv(queue).take(1))
                .assertNext(d -> {
                    assertThat(d.value()).isEqualTo("job-1");
                    assertThat(d.attempt()).isEqualTo(1);
                    assertThat(d.message().topic()).isEqualTo(queue.name());
                    assertThat(d.message().headers()).containsEntry("kind", "resize");
                    d.ack();
                })
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    default void shouldGiveEachMessageToExactlyOneOfTheCompetingReceivers() throws InterruptedException {
        Queue<Integer> queue = Queue.of(unique("q/compete"), Integer.class);
        int count = 2_000;
        ConcurrentHashMap<Integer, String> receivedBy = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(count);
        List<Disposable> receivers = Flux.range(0, 3)
                .map(r -> daak().recv(queue)
                        .publishOn(Schedulers.parallel(), 16)
                        .subscribe(d -> {
                            if (receivedBy.putIfAbsent(d.value(), "r" + r) != null) {
                                duplicates.incrementAndGet();
                            }
                            d.ack();
                            all.countDown();
                        }))
                .collectList()
                .block(WAIT);
        try {
            Flux.range(0, count).concatMap(i -> daak().send(queue, i)).blockLast(WAIT);
            assertThat(all.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(duplicates).hasValue(0);
            assertThat(receivedBy).hasSize(count);
            assertThat(new HashSet<>(receivedBy.values()))
                    .as("every receiver got work")
                    .hasSize(3);
        } finally {
            receivers.forEach(Disposable::dispose);
        }
    }

    @Test
    default void shouldHandOutOneDeliveryPerUnitOfDemand() {
        Queue<Integer> queue = Queue.of(unique("q/demand"), Integer.class);
        Flux.range(1, 5).concatMap(i -> daak().send(queue, i)).blockLast(WAIT);
        StepVerifier.create(
                        daak().recv(queue).map(d -> {
                            d.ack();
                            return d.value();
                        }),
                        1)
                .expectNext(1)
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(2)
                .expectNext(2, 3)
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldRedeliverANackedMessageWithTheNextAttempt() {
        Queue<String> queue = Queue.of(unique("q/nack"), String.class);
        daak().send(queue, "flaky").block(WAIT);
        StepVerifier.create(daak().recv(queue))
                .assertNext(d -> {
                    assertThat(d.attempt()).isEqualTo(1);
                    d.nack();
                })
                .assertNext(d -> {
                    assertThat(d.value()).isEqualTo("flaky");
                    assertThat(d.attempt()).isEqualTo(2);
                    d.ack();
                })
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldNotRedeliverAnAckedMessage() {
        Queue<String> queue = Queue.of(unique("q/ack"), String.class);
        daak().send(queue, "once").block(WAIT);
        StepVerifier.create(daak().recv(queue).take(1))
                .assertNext(Delivery::ack)
                .verifyComplete();
        StepVerifier.create(daak().recv(queue))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(100))
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldRedeliverUnackedDeliveriesToAnotherReceiverWhenOneCancels() {
        Queue<String> queue = Queue.of(unique("q/cancel"), String.class);
        daak().send(queue, "a").block(WAIT);
        daak().send(queue, "b").block(WAIT);
        StepVerifier.create(daak().recv(queue).map(Delivery::value).take(2)) // holds both, acks neither
                .expectNext("a", "b")
                .verifyComplete();
        StepVerifier.create(daak().recv(queue).take(2))
                .assertNext(d -> {
                    assertThat(d.value()).isEqualTo("a");
                    assertThat(d.attempt()).isEqualTo(2);
                    d.ack();
                })
                .assertNext(d -> {
                    assertThat(d.value()).isEqualTo("b");
                    d.ack();
                })
                .verifyComplete();
    }

    @Test
    default void shouldDeadLetterAfterTheLastAttempt() {
        Queue<String> queue = Queue.of(unique("q/poison"), String.class).withMaxDeliveries(2);
        daak().send(queue, "poison").block(WAIT);
        StepVerifier.create(daak().recv(queue).take(2))
                .thenConsumeWhile(d -> {
                    d.nack();
                    return true;
                })
                .verifyComplete();
        StepVerifier.create(daak().subscribe(
                                Selector.of(queue.deadLetterTopic(), String.class),
                                SubscribeOptions.defaults().start(Start.earliest())))
                .assertNext(m -> {
                    assertThat(m.topic()).isEqualTo("$dlq/" + queue.name());
                    assertThat(m.value()).isEqualTo("poison");
                    assertThat(m.headers())
                            .containsEntry("daak-dead-letter-queue", queue.name())
                            .containsEntry("daak-dead-letter-attempts", "2")
                            .containsKey("daak-dead-letter-reason");
                })
                .thenCancel()
                .verify(WAIT);
        StepVerifier.create(daak().recv(queue))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldDeliverHigherPriorityFirst() {
        Queue<String> queue = Queue.of(unique("q/priority"), String.class);
        daak().send(queue, "low").block(WAIT);
        daak().send(queue, "urgent", Fields.none().priority(9)).block(WAIT);
        daak().send(queue, "normal", Fields.none().priority(1)).block(WAIT);
        StepVerifier.create(daak().recv(queue)
                        .map(d -> {
                            d.ack();
                            return d.value();
                        })
                        .take(3))
                .expectNext("urgent", "normal", "low")
                .verifyComplete();
    }

    @Test
    default void shouldRefuseToSendToAFullQueue() {
        Queue<Integer> queue = Queue.of(unique("q/full"), Integer.class).withCapacity(2);
        daak().send(queue, 1).block(WAIT);
        daak().send(queue, 2).block(WAIT);
        StepVerifier.create(daak().send(queue, 3))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(DaakException.class)
                        .hasMessageContaining(queue.name())
                        .hasMessageContaining("full"))
                .verify(WAIT);
        Set<Integer> got = new HashSet<>();
        StepVerifier.create(daak().recv(queue).take(2))
                .thenConsumeWhile(d -> {
                    got.add(d.value());
                    d.ack();
                    return true;
                })
                .verifyComplete();
        assertThat(got).containsExactlyInAnyOrder(1, 2);
        StepVerifier.create(daak().send(queue, 3)).verifyComplete();
    }

    /**
     * Receiving as another type fails with an error naming both types, and the message stays for a
     * receiver of its type without using up an attempt.
     */
    @Test
    default void shouldFailReceiveWithWrongTypeAndKeepTheMessage() {
        String name = unique("jobs");
        // One attempt only: a receiver that cannot take the message must not use it up.
        Queue<String> q = Queue.of(name, String.class).withMaxDeliveries(1);
        daak().send(q, "text").block(WAIT);

        StepVerifier.create(daak().recv(Queue.of(name, Integer.class)))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(DaakException.class)
                        .hasMessageContaining(name)
                        .hasMessageContaining(String.class.getName())
                        .hasMessageContaining(Integer.class.getName()))
                .verify(WAIT);
        if (!wrongTypeReceiversKeepTheAttempt()) {
            return;
        }

        StepVerifier.create(daak().recv(q))
                .assertNext(d -> {
                    assertThat(d.value())
                            .as("the message is still there for a receiver of its type")
                            .isEqualTo("text");
                    d.ack();
                })
                .thenCancel()
                .verify(WAIT);
    }

    /**
     * Receivers that each take a few deliveries and leave, on several threads while messages are
     * sent: every message is seen exactly once (what a leaving receiver held unseen goes to another).
     */
    @Test
    default void shouldLoseNothingWhileReceiversComeAndGo() {
        int messages = 2_000;
        // Returned deliveries count as attempts; this test is about losing nothing, not dead letters.
        Queue<Integer> q = Queue.of(unique("jobs"), Integer.class).withMaxDeliveries(1_000);
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        Sinks.Empty<Void> allSeen = Sinks.empty();
        // publishOn prefetches 16: a receiver leaving after 7 holds deliveries it never saw.
        Flux<Void> worker = Flux.defer(() -> daak().recv(q)
                        .publishOn(Schedulers.parallel(), 16)
                        .doOnNext(d -> {
                            d.ack();
                            if (!seen.add(d.value())) {
                                duplicates.incrementAndGet();
                            }
                            if (seen.size() == messages) {
                                allSeen.tryEmitEmpty();
                            }
                        })
                        .take(7)
                        .takeUntilOther(allSeen.asMono())
                        .then())
                .repeat(() -> seen.size() < messages)
                .subscribeOn(Schedulers.parallel());
        Mono<Void> sender =
                Flux.range(0, messages).concatMap(i -> daak().send(q, i)).then().subscribeOn(Schedulers.parallel());

        StepVerifier.create(Flux.merge(worker, worker, worker, sender).then())
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        assertThat(duplicates).as("messages seen twice").hasValue(0);
        assertThat(seen).hasSize(messages);
    }
}
