package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Publish/subscribe, pull: retained messages and start positions.
 *
 * <p>The engine under test MUST keep {@value #RETAINED_COUNT} messages for topics matching
 * {@value #RETAINED_PATTERN} and the default (the latest message) elsewhere.
 */
public interface PullContract extends ContractSupport {

    /** Topics whose retention the engine under test sets to {@link #RETAINED_COUNT}. */
    String RETAINED_PATTERN = "retained/**";

    /** How many messages the engine under test keeps for {@link #RETAINED_PATTERN} topics. */
    int RETAINED_COUNT = 100;

    /** The options a local engine needs to run this contract. */
    static LocalOptions contractOptions() {
        return LocalOptions.defaults().retention(RETAINED_PATTERN, Retention.count(RETAINED_COUNT));
    }

    Duration WAIT = Duration.ofSeconds(10);

    private Topic<Integer> retained(int count) {
        Topic<Integer> topic = Topic.of(unique("retained/pull"), Integer.class);
        daak().publishAll(topic, Flux.range(1, count)).blockLast(WAIT);
        return topic;
    }

    private Flux<Integer> from(Topic<Integer> topic, Start start) {
        return daak().subscribe(topic.selector(), SubscribeOptions.defaults().start(start))
                .map(Message::value);
    }

    @Test
    default void shouldReplayEveryRetainedMessageThenContinueLive() {
        Topic<Integer> topic = retained(5);
        StepVerifier.create(from(topic, Start.earliest()))
                .expectNext(1, 2, 3, 4, 5)
                .then(() -> daak().publish(topic, 6).block(WAIT))
                .expectNext(6)
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldStartFromASequenceNumber() {
        Topic<Integer> topic = retained(10);
        StepVerifier.create(daak().subscribe(
                                topic.selector(), SubscribeOptions.defaults().start(Start.atSequence(8))))
                .assertNext(m -> assertThat(m.sequence()).isEqualTo(8))
                .assertNext(m -> assertThat(m.sequence()).isEqualTo(9))
                .assertNext(m -> assertThat(m.sequence()).isEqualTo(10))
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldStartFromATime() {
        Topic<Integer> topic = Topic.of(unique("retained/time"), Integer.class);
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 1; i <= 5; i++) {
            daak().publish(topic, i, Fields.none().timestamp(t0.plusSeconds(i))).block(WAIT);
        }
        StepVerifier.create(from(topic, Start.atTime(t0.plusSeconds(4))))
                .expectNext(4, 5)
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldStartFromTheLatestValueLikeARetainedMessage() {
        Topic<Integer> plain = Topic.of(unique("latest"), Integer.class); // default retention: the latest
        daak().publishAll(plain, Flux.range(1, 3)).blockLast(WAIT);
        StepVerifier.create(from(plain, Start.latest()))
                .expectNext(3)
                .then(() -> daak().publish(plain, 4).block(WAIT))
                .expectNext(4)
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldGiveOnlyNewMessagesByDefault() {
        Topic<Integer> topic = retained(3);
        StepVerifier.create(daak().subscribe(topic).map(Message::value))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .then(() -> daak().publish(topic, 4).block(WAIT))
                .expectNext(4)
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldReplayAtTheSubscribersOwnDemand() {
        Topic<Integer> topic = retained(50);
        StepVerifier.create(from(topic, Start.earliest()), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(2)
                .expectNext(1, 2)
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(48)
                .expectNextCount(48)
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldKeepOnlyWhatTheRetentionAllows() {
        Topic<Integer> topic = retained(RETAINED_COUNT + 20);
        StepVerifier.create(daak().subscribe(
                                topic.selector(), SubscribeOptions.defaults().start(Start.earliest())))
                .assertNext(m -> assertThat(m.sequence()).isEqualTo(21))
                .expectNextCount(RETAINED_COUNT - 1)
                .expectNoEvent(Duration.ofMillis(50))
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldReplayAcrossTopicsOfAWildcardInTimestampOrder() {
        String base = unique("retained/multi");
        Topic<Integer> a = Topic.of(base + "/a", Integer.class);
        Topic<Integer> b = Topic.of(base + "/b", Integer.class);
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        daak().publish(a, 1, Fields.none().timestamp(t0.plusSeconds(1))).block(WAIT);
        daak().publish(b, 2, Fields.none().timestamp(t0.plusSeconds(2))).block(WAIT);
        daak().publish(a, 3, Fields.none().timestamp(t0.plusSeconds(3))).block(WAIT);
        StepVerifier.create(daak().subscribe(
                                Selector.of(base + "/*", Integer.class),
                                SubscribeOptions.defaults().start(Start.earliest()))
                        .map(Message::value))
                .expectNext(1, 2, 3)
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldNotDuplicateOrLoseMessagesPublishedDuringReplay() {
        Topic<Integer> topic = retained(20);
        StepVerifier.create(from(topic, Start.earliest()), 5)
                .expectNext(1, 2, 3, 4, 5)
                .then(() -> daak().publishAll(topic, Flux.range(21, 5)).blockLast(WAIT))
                .thenRequest(Long.MAX_VALUE)
                .expectNextSequence(
                        java.util.stream.IntStream.range(6, 26).boxed().toList())
                .thenCancel()
                .verify(WAIT);
    }
}
