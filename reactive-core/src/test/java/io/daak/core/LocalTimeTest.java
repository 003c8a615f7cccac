package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Time-based behaviour on virtual time: the engine reads its clock and runs its timers on
 * {@code Schedulers.parallel()}, which {@code withVirtualTime} replaces, so each handle is made inside
 * the supplier.
 */
class LocalTimeTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void shouldRedeliverWhenTheAckDeadlinePasses() {
        StepVerifier.withVirtualTime(() -> {
                    Daak daak = Daak.local();
                    Queue<String> q = Queue.of("jobs", String.class).withAckTimeout(Duration.ofSeconds(30));
                    return daak.send(q, "x")
                            .thenMany(daak.recv(q))
                            .map(Delivery::attempt)
                            .take(2);
                })
                .expectNext(1)
                .expectNoEvent(Duration.ofSeconds(29))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(2)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void shouldNotRedeliverWhatWasAckedBeforeTheDeadline() {
        StepVerifier.withVirtualTime(() -> {
                    Daak daak = Daak.local();
                    Queue<String> q = Queue.of("jobs", String.class).withAckTimeout(Duration.ofSeconds(30));
                    return daak.send(q, "x")
                            .thenMany(daak.recv(q))
                            .doOnNext(Delivery::ack)
                            .map(Delivery::attempt);
                })
                .expectNext(1)
                .expectNoEvent(Duration.ofMinutes(5))
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void shouldDeadLetterWhenEveryDeadlinePasses() {
        StepVerifier.withVirtualTime(() -> {
                    Daak daak = Daak.local();
                    Queue<String> q = Queue.of("jobs", String.class)
                            .withAckTimeout(Duration.ofSeconds(10))
                            .withMaxDeliveries(3);
                    Flux<String> deadLetters = daak.subscribe(Selector.of(q.deadLetterTopic(), String.class))
                            .map(m -> "dead:" + m.value() + ":" + m.headers().get("daak-dead-letter-reason"));
                    Flux<String> attempts = daak.recv(q).map(d -> "attempt:" + d.attempt());
                    return Flux.merge(deadLetters, attempts, daak.send(q, "x").then(Mono.empty()))
                            .take(4);
                })
                .expectNext("attempt:1")
                .thenAwait(Duration.ofSeconds(10))
                .expectNext("attempt:2")
                .thenAwait(Duration.ofSeconds(10))
                .expectNext("attempt:3")
                .thenAwait(Duration.ofSeconds(10))
                .assertNext(s -> assertThat(s).startsWith("dead:x:not acknowledged within"))
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void shouldDropAQueuedMessageWhoseTimeToLivePassedBeforeDelivery() {
        StepVerifier.withVirtualTime(() -> {
                    Daak daak = Daak.local();
                    Queue<String> q = Queue.of("jobs", String.class);
                    return daak.send(q, "stale", Fields.none().ttl(Duration.ofSeconds(5)))
                            .then(daak.send(q, "fresh"))
                            .thenMany(Mono.delay(Duration.ofSeconds(6)).thenMany(daak.recv(q)))
                            .map(Delivery::value);
                })
                .thenAwait(Duration.ofSeconds(6))
                .expectNext("fresh")
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void shouldNotCountExpiredMessagesAgainstAFullQueue() {
        StepVerifier.withVirtualTime(() -> {
                    Daak daak = Daak.local();
                    Queue<String> q = Queue.of("jobs", String.class).withCapacity(1);
                    return daak.send(q, "stale", Fields.none().ttl(Duration.ofSeconds(1)))
                            .then(Mono.delay(Duration.ofSeconds(2)))
                            .then(daak.send(q, "fresh"))
                            .thenMany(daak.recv(q).map(Delivery::value));
                })
                .thenAwait(Duration.ofSeconds(2))
                .expectNext("fresh")
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void shouldNotDeliverABufferedMessageAfterItsTimeToLive() {
        AtomicReference<Daak> daak = new AtomicReference<>();
        Topic<String> t = Topic.of("alerts", String.class);
        StepVerifier.withVirtualTime(
                        () -> {
                            daak.set(Daak.local());
                            return daak.get().subscribe(t).map(Message::value);
                        },
                        0)
                .expectSubscription()
                .then(() -> {
                    daak.get()
                            .publish(t, "short", Fields.none().ttl(Duration.ofSeconds(1)))
                            .block(WAIT);
                    daak.get()
                            .publish(t, "long", Fields.none().ttl(Duration.ofMinutes(1)))
                            .block(WAIT);
                })
                .thenAwait(Duration.ofSeconds(2))
                .thenRequest(10)
                .expectNext("long")
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void shouldTimeOutARequestAfterItsTimeToLive() {
        StepVerifier.withVirtualTime(() -> {
                    Daak daak = Daak.local();
                    Service<String, String> slow = Service.of("slow", String.class, String.class);
                    return daak.serve(slow, ServiceHandler.requestReply(s -> Mono.delay(Duration.ofMinutes(1))
                                    .map(x -> s)))
                            .then(daak.request(slow, "x", Fields.none().ttl(Duration.ofSeconds(3))));
                })
                .thenAwait(Duration.ofSeconds(3))
                .expectError(TimeoutException.class)
                .verify(WAIT);
    }

    @Test
    void shouldNotReplayMessagesOlderThanTheAgeLimitFromAQuietTopic() {
        StepVerifier.withVirtualTime(() -> {
                    Daak daak = Daak.local(LocalOptions.defaults()
                            .retention("logs/**", Retention.count(10).withMaxAge(Duration.ofSeconds(10))));
                    Topic<String> t = Topic.of("logs/quiet", String.class);
                    return daak.publish(t, "old")
                            .then(Mono.delay(Duration.ofMinutes(1)))
                            .thenMany(daak.subscribe(
                                    t.selector(), SubscribeOptions.defaults().start(Start.earliest())))
                            .map(Message::value);
                })
                .expectSubscription()
                .expectNoEvent(Duration.ofMinutes(2))
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void shouldExpireRetainedMessagesByAge() {
        StepVerifier.withVirtualTime(() -> {
                    Daak daak = Daak.local(LocalOptions.defaults()
                            .retention("logs/**", Retention.count(100).withMaxAge(Duration.ofMinutes(1))));
                    Topic<Integer> t = Topic.of("logs/app", Integer.class);
                    return daak.publish(t, 1)
                            .then(Mono.delay(Duration.ofSeconds(90)))
                            .then(daak.publish(t, 2))
                            .thenMany(daak.subscribe(
                                    t.selector(), SubscribeOptions.defaults().start(Start.earliest())))
                            .map(Message::value);
                })
                .thenAwait(Duration.ofSeconds(90))
                .expectNext(2)
                .thenCancel()
                .verify(WAIT);
    }
}
