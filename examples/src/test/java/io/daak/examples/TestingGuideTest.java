package io.daak.examples;

import io.daak.core.Daak;
import io.daak.core.Delivery;
import io.daak.core.Fields;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.NoRespondersException;
import io.daak.core.PublishResult;
import io.daak.core.Queue;
import io.daak.core.Selector;
import io.daak.core.Service;
import io.daak.core.ServiceException;
import io.daak.core.Topic;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * How to test code that uses Daak, with {@code Daak.local()} as the real engine: the examples that
 * {@code docs/testing.md} quotes.
 */
class TestingGuideTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    /** The code under test: publishes an alert for every temperature above a limit. */
    static final class HeatAlarm {
        static final Topic<String> ALERTS = Topic.of("home/alerts", String.class);

        private final Daak daak;
        private final double limit;

        HeatAlarm(Daak daak, double limit) {
            this.daak = daak;
            this.limit = limit;
        }

        /** Watches every room until cancelled. */
        Flux<PublishResult> run() {
            return daak.subscribe(Selector.of("home/*/temp", Double.class))
                    .filter(m -> m.value() > limit)
                    .concatMap(m -> daak.publish(ALERTS, m.topic() + " is " + m.value()));
        }
    }

    private final Daak daak = Daak.local();

    @AfterEach
    void close() {
        daak.close(); // completes what is still subscribed and stops the servers
    }

    @Test
    void shouldAlertOnlyAboveTheLimit() {
        Topic<Double> kitchen = Topic.of("home/kitchen/temp", Double.class);
        Disposable alarm = new HeatAlarm(daak, 30.0).run().subscribe();

        StepVerifier.create(daak.subscribe(HeatAlarm.ALERTS).map(Message::value))
                .then(() -> daak.publish(kitchen, 21.0).subscribe())
                .then(() -> daak.publish(kitchen, 35.0).subscribe())
                .expectNext("home/kitchen/temp is 35.0")
                .thenCancel()
                .verify(WAIT);
        alarm.dispose();
    }

    @Test
    void shouldAnswerFromATestServerInsteadOfAMock() {
        Service<String, Integer> stock = Service.of("inventory/stock", String.class, Integer.class);
        StepVerifier.create(daak.request(stock, "apple"))
                .expectError(NoRespondersException.class)
                .verify(WAIT);

        daak.serve(stock, sku -> sku.equals("apple") ? Mono.just(3) : Mono.error(new IllegalArgumentException(sku)))
                .block(WAIT);
        StepVerifier.create(daak.request(stock, "apple"))
                .expectNext(3)
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(daak.request(stock, "pear"))
                .expectError(ServiceException.class) // the handler's error, passed on
                .verify(WAIT);
    }

    @Test
    void shouldRedeliverWhenTheAckDeadlinePasses() {
        Queue<String> jobs = Queue.of("jobs", String.class).withAckTimeout(Duration.ofSeconds(30));
        StepVerifier.withVirtualTime(() -> {
                    Daak local = Daak.local(); // inside the supplier: the engine runs on virtual time
                    return local.send(jobs, "resize")
                            .thenMany(local.recv(jobs))
                            .map(Delivery::attempt)
                            .take(2)
                            .doFinally(signal -> local.close());
                })
                .expectNext(1) // received and never acknowledged
                .expectNoEvent(Duration.ofSeconds(29))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(2) // the deadline passed: delivered again
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void shouldDropAMessageWhoseTimeToLivePassedBeforeDelivery() {
        Topic<String> alerts = Topic.of("alerts", String.class);
        AtomicReference<Daak> local = new AtomicReference<>();
        StepVerifier.withVirtualTime(
                        () -> {
                            local.set(Daak.local());
                            return local.get().subscribe(alerts).map(Message::value);
                        },
                        0) // the subscriber requests nothing yet
                .then(() -> local.get()
                        .publish(alerts, "stale", Fields.none().ttl(Duration.ofSeconds(5)))
                        .subscribe())
                .then(() -> local.get().publish(alerts, "fresh").subscribe())
                .thenAwait(Duration.ofSeconds(6))
                .thenRequest(2)
                .expectNext("fresh") // "stale" expired while it waited in the buffer
                .then(() -> local.get().close())
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void shouldTimeOutARequestThatIsNotAnsweredInTime() {
        Service<String, String> slow = Service.of("slow", String.class, String.class);
        StepVerifier.withVirtualTime(() -> {
                    Daak local = Daak.local();
                    Mono<String> late = Mono.delay(Duration.ofMinutes(1)).thenReturn("late");
                    return local.serve(slow, q -> late)
                            .then(local.request(slow, "hello", Fields.none().ttl(Duration.ofSeconds(2))))
                            .doFinally(signal -> local.close());
                })
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(1))
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(WAIT);
    }

    @Test
    void shouldRunOnAnExplicitVirtualClock() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        try (Daak local = Daak.local(LocalOptions.defaults().scheduler(time))) {
            Queue<String> jobs = Queue.of("jobs", String.class).withAckTimeout(Duration.ofSeconds(30));
            local.send(jobs, "resize").block(WAIT);
            StepVerifier.create(local.recv(jobs).map(Delivery::attempt).take(2))
                    .expectNext(1)
                    .then(() -> time.advanceTimeBy(Duration.ofSeconds(30)))
                    .expectNext(2)
                    .expectComplete()
                    .verify(WAIT);
        } finally {
            time.dispose();
        }
    }
}
