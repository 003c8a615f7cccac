package io.daak.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daak.core.Change;
import io.daak.core.Daak;
import io.daak.core.DaakException;
import io.daak.core.Delivery;
import io.daak.core.Fields;
import io.daak.core.Key;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.Overflow;
import io.daak.core.OverflowException;
import io.daak.core.Publication;
import io.daak.core.PublishResult;
import io.daak.core.Queue;
import io.daak.core.Retention;
import io.daak.core.Selector;
import io.daak.core.Service;
import io.daak.core.ServiceException;
import io.daak.core.ServiceHandler;
import io.daak.core.Start;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The options and errors of each pattern, one small runnable example each: the snippets of {@code
 * docs/patterns.md} and {@code docs/backpressure.md} that the demo does not show.
 */
class PatternsGuideTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private Daak daak = Daak.local();

    @AfterEach
    void close() {
        daak.close();
    }

    // ---------------------------------------------------------------- publish/subscribe

    @Test
    void shouldRefuseMalformedNamesWhenTheCallIsMade() {
        assertThatThrownBy(() -> Selector.of("sensors/te*", Double.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a wildcard must be a whole segment");
        assertThatThrownBy(() -> Topic.of("sensors//temp", Double.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty segment");
    }

    @Test
    void shouldEndASubscriptionWhoseTypeDoesNotMatchTheTopic() {
        Topic<String> status = Topic.of("robots/r1/status", String.class);
        StepVerifier.create(daak.subscribe(Selector.of("robots/**", Integer.class)))
                .then(() -> daak.publish(status, "docked").subscribe())
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(DaakException.class)
                        .hasMessageContaining("carries java.lang.String values")
                        .hasMessageContaining("expects java.lang.Integer"))
                .verify(WAIT);
    }

    @Test
    void shouldKeepHistoryByCountBytesAndAge() {
        daak.close();
        daak = Daak.local(LocalOptions.defaults()
                .retention(
                        "logs/**",
                        Retention.count(10_000).withMaxBytes(64 << 20).withMaxAge(Duration.ofHours(1)))
                .retention("chat/**", Retention.count(100).withMaxBytes(10)));
        Topic<String> chat = Topic.of("chat/general", String.class);
        daak.publishAll(chat, Flux.just("aaaa", "bbbb")).blockLast(WAIT);

        // Strings weigh two bytes a char: 8 + 8 > 10, so only the last one is kept.
        StepVerifier.create(daak.subscribe(
                                chat.selector(), SubscribeOptions.defaults().start(Start.earliest()))
                        .map(Message::value))
                .expectNext("bbbb")
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void shouldStartFromATime() {
        daak.close();
        daak = Daak.local(LocalOptions.defaults().retention("logs/**", Retention.count(100)));
        Topic<String> app = Topic.of("logs/app", String.class);
        Instant nine = Instant.parse("2030-01-01T09:00:00Z");
        for (int hour = 0; hour < 3; hour++) {
            Fields at = Fields.none().timestamp(nine.plus(Duration.ofHours(hour)));
            daak.publish(app, "entry " + hour, at).block(WAIT);
        }

        Flux<String> sinceTen = daak.subscribe(
                        Selector.of("logs/*", String.class),
                        SubscribeOptions.defaults().start(Start.atTime(Instant.parse("2030-01-01T10:00:00Z"))))
                .map(Message::value);
        StepVerifier.create(sinceTen)
                .expectNext("entry 1", "entry 2")
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void shouldPublishWithoutAMonoUntilABlockSubscriberIsFull() {
        Topic<Integer> imu = Topic.of("sensors/imu", Integer.class);
        Demo.Paused<Integer> archiver = new Demo.Paused<>(0); // requests nothing
        daak.subscribe(imu.selector(), SubscribeOptions.defaults().overflow(Overflow.block(1)))
                .subscribe(archiver);

        Publication<Integer> readings = daak.publication(imu);
        boolean first = readings.tryPublish(1); // fits in the archiver's buffer
        boolean second = readings.tryPublish(2); // the archiver is full: nothing is published
        assertThat(first).isTrue();
        assertThat(second).isFalse();
        archiver.dispose();
        assertThat(readings.tryPublish(2)).isTrue();
    }

    // ---------------------------------------------------------------- key/value

    @Test
    void shouldStartAWatchWithTheCurrentValues() {
        daak.put(Key.of("robots/r1/mode", String.class), "auto").block(WAIT);
        daak.put(Key.of("robots/r2/mode", String.class), "manual").block(WAIT);

        Flux<Change<String>> modes = daak.watch(
                Selector.of("robots/*/mode", String.class),
                SubscribeOptions.defaults().start(Start.latest()));
        StepVerifier.create(modes.map(c -> c.key() + "=" + c.value()))
                .expectNext("robots/r1/mode=auto", "robots/r2/mode=manual") // current values first
                .then(() -> daak.put(Key.of("robots/r1/mode", String.class), "docked")
                        .subscribe())
                .expectNext("robots/r1/mode=docked") // then the changes
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void shouldRefuseABlockingWatch() {
        assertThatThrownBy(() -> daak.watch(
                        Selector.of("robots/**", String.class),
                        SubscribeOptions.defaults().overflow(Overflow.block(8))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a put never waits for watchers");
    }

    // ---------------------------------------------------------------- queues

    @Test
    void shouldDeliverHigherPriorityFirst() {
        Queue<String> jobs = Queue.of("jobs/resize", String.class)
                .withAckTimeout(Duration.ofSeconds(30)) // default 30 s
                .withMaxDeliveries(5) // default 5
                .withCapacity(100_000) // default 100,000
                .withDeadLetterTopic("$dlq/jobs/resize"); // the default
        daak.send(jobs, "thumbnail").block(WAIT);
        daak.send(jobs, "urgent", Fields.none().priority(9)).block(WAIT);

        StepVerifier.create(daak.recv(jobs).doOnNext(Delivery::ack).map(Delivery::value))
                .expectNext("urgent", "thumbnail")
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void shouldAckWhatWorkedAndNackWhatFailed() {
        Queue<String> jobs = Queue.of("jobs/resize", String.class).withMaxDeliveries(2);
        Flux.just("a.jpg", "broken.jpg", "b.jpg")
                .concatMap(job -> daak.send(jobs, job))
                .blockLast(WAIT);
        Mono<Message<String>> deadLetter = daak.subscribe(Selector.of(jobs.deadLetterTopic(), String.class))
                .next()
                .cache();
        deadLetter.subscribe();

        Flux<String> done = daak.recv(jobs)
                .concatMap(d -> resize(d.value()).doOnSuccess(result -> d.ack()).onErrorResume(e -> {
                    d.nack(); // one failed job must not end the receiving stream
                    return Mono.empty();
                }));

        StepVerifier.create(done).expectNext("A.JPG", "B.JPG").thenCancel().verify(WAIT);
        assertThat(deadLetter.block(WAIT).value()).isEqualTo("broken.jpg");
    }

    private static Mono<String> resize(String image) {
        return image.startsWith("broken")
                ? Mono.error(new IllegalStateException("cannot read " + image))
                : Mono.just(image.toUpperCase(Locale.ROOT));
    }

    @Test
    void shouldRefuseToSendToAFullQueue() {
        Queue<String> small = Queue.of("jobs/small", String.class).withCapacity(1);
        daak.send(small, "first").block(WAIT);
        StepVerifier.create(daak.send(small, "second"))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(DaakException.class)
                        .hasMessageContaining("queue 'jobs/small' is full"))
                .verify(WAIT);
    }

    // ---------------------------------------------------------------- request/reply

    @Test
    void shouldPassTheHandlersErrorToTheRequester() {
        Service<String, Integer> length = Service.of("text/length", String.class, Integer.class);
        daak.serve(
                        length,
                        s -> s.isEmpty()
                                ? Mono.error(new IllegalArgumentException("empty text"))
                                : Mono.just(s.length()))
                .block(WAIT);

        Mono<Integer> n = daak.request(length, "hello", Fields.none().ttl(Duration.ofSeconds(2)));
        StepVerifier.create(n).expectNext(5).expectComplete().verify(WAIT);
        StepVerifier.create(daak.request(length, ""))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(ServiceException.class)
                        .hasMessage("service 'text/length' failed: empty text"))
                .verify(WAIT);
    }

    @Test
    void shouldServeStreamsFromFunctions() {
        Service<Integer, Integer> countdown = Service.of("countdown", Integer.class, Integer.class);
        daak.serve(countdown, ServiceHandler.requestStream(n -> Flux.range(0, n + 1)
                        .map(i -> n - i)))
                .block(WAIT);
        Service<String, String> upper = Service.of("upper", String.class, String.class);
        daak.serve(upper, ServiceHandler.channel(words -> words.map(w -> w.toUpperCase(Locale.ROOT))))
                .block(WAIT);

        StepVerifier.create(daak.requestStream(countdown, 3))
                .expectNext(3, 2, 1, 0)
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(daak.channel(upper, Flux.just("a", "b")))
                .expectNext("A", "B")
                .expectComplete()
                .verify(WAIT);
    }

    // ---------------------------------------------------------------- backpressure

    @Test
    void shouldEndABufferSubscriberThatFallsTooFarBehind() {
        Topic<Integer> ticks = Topic.of("market/ticks", Integer.class);
        Flux<Message<Integer>> behind =
                daak.subscribe(ticks.selector(), SubscribeOptions.defaults().overflow(Overflow.buffer(2)));
        StepVerifier.create(behind, 0) // requests nothing
                .then(() -> daak.publishAll(ticks, Flux.range(1, 3)).subscribe())
                .expectError(OverflowException.class)
                .verify(WAIT);
    }

    @Test
    void shouldDropTheArrivingMessageUnderDropLatest() {
        Topic<Integer> ticks = Topic.of("market/ticks", Integer.class);
        Demo.Paused<Integer> stalled = new Demo.Paused<>(0);
        daak.subscribe(ticks.selector(), SubscribeOptions.defaults().overflow(Overflow.dropLatest(2)))
                .subscribe(stalled);

        List<PublishResult> results =
                daak.publishAll(ticks, Flux.range(1, 5)).collectList().block(WAIT);
        assertThat(results).extracting(PublishResult::dropped).containsExactly(0, 0, 1, 1, 1);
        stalled.request(5);
        assertThat(awaitSequences(stalled, 2)).containsExactly(1L, 2L); // it kept the first two
    }

    private static List<Long> awaitSequences(Demo.Paused<Integer> subscriber, int total) {
        try {
            return subscriber.await(total);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
