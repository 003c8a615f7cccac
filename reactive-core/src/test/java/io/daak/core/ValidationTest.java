package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.test.StepVerifier;

/** Bad input fails at assembly time with an IllegalArgumentException that names the argument and the rule. */
class ValidationTest {

    private final Daak daak = Daak.local();

    @AfterEach
    void close() {
        daak.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a//b", "/a", "a/", "a b", "a\tb"})
    void shouldRejectMalformedNames(String name) {
        assertThatThrownBy(() -> Topic.of(name, String.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic");
        assertThatThrownBy(() -> Key.of(name, String.class)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Queue.of(name, String.class)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Service.of(name, String.class, String.class))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Selector.of(name, String.class)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/**b", "a/b*", "*x/y", "a/***"})
    void shouldRejectWildcardsThatAreNotWholeSegments(String pattern) {
        assertThatThrownBy(() -> Selector.of(pattern, String.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(pattern)
                .hasMessageContaining("whole segment");
    }

    @Test
    void shouldRejectNullNamesAndTypes() {
        assertThatThrownBy(() -> Topic.of(null, String.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic must not be null");
        assertThatThrownBy(() -> Topic.of("a", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("type must not be null");
    }

    @Test
    void shouldRejectWildcardsInNames() {
        assertThatThrownBy(() -> Topic.of("sensors/*", String.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wildcards are allowed in selectors only");
        assertThatThrownBy(() -> Queue.of("jobs/b*", String.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wildcards are allowed in selectors only");
    }

    @Test
    void shouldRejectPrimitiveTypes() {
        assertThatThrownBy(() -> Topic.of("a", int.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Integer.class");
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void shouldRejectValuesOfTheWrongTypeWhenTheCallIsMade() {
        Topic raw = Topic.of("numbers", Integer.class);
        assertThatThrownBy(() -> daak.publish(raw, "not a number"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic 'numbers'")
                .hasMessageContaining("java.lang.String")
                .hasMessageContaining("java.lang.Integer");
        assertThatThrownBy(() -> daak.put((Key) Key.of("k", Integer.class), "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key 'k'");
        assertThatThrownBy(() -> daak.send((Queue) Queue.of("q", Integer.class), "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queue 'q'");
        assertThatThrownBy(() -> daak.request((Service) Service.of("s", Integer.class, Integer.class), "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("service request 's'");
        assertThatThrownBy(() -> daak.publication(raw).tryPublish("x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRejectNullArguments() {
        Topic<String> t = Topic.of("t", String.class);
        assertThatThrownBy(() -> daak.publish(t, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be null");
        assertThatThrownBy(() -> daak.publish(null, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic must not be null");
        assertThatThrownBy(() -> daak.publish(t, "x", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fields must not be null");
        assertThatThrownBy(() -> daak.subscribe(t.selector(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("options must not be null");
    }

    @Test
    void shouldMakeMessagesForTransports() {
        java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
        Message<String> plain = Message.of("a/b", "v", 3, t, Fields.none().ttl(Duration.ofSeconds(1)));
        assertThat(plain.mimeType()).isNull();
        assertThat(plain.expiresAt()).isEqualTo(t.plusSeconds(1));
        Message<String> encoded = Message.of("a/b", "v", 3, t, Fields.none(), "application/json");
        assertThat(encoded.mimeType()).isEqualTo("application/json");
        assertThat(encoded.timestamp()).isEqualTo(t);
        assertThatThrownBy(() -> Message.of("a/b", "v", 3, t, Fields.none(), " "))
                .hasMessageContaining("mimeType");
        assertThatThrownBy(() -> Message.of("a//b", "v", 3, t, Fields.none())).hasMessageContaining("topic");
    }

    @Test
    void shouldRejectBadSizesAndDurations() {
        assertThatThrownBy(() -> Overflow.buffer(0)).hasMessageContaining("capacity=0");
        assertThatThrownBy(() -> Overflow.dropOldest(-1)).hasMessageContaining("capacity=-1");
        assertThatThrownBy(() -> Retention.count(-5)).hasMessageContaining("maxCount=-5");
        assertThatThrownBy(() -> Retention.count(5).withMaxBytes(-1)).hasMessageContaining("maxBytes=-1");
        assertThatThrownBy(() -> Retention.count(5).withMaxAge(Duration.ZERO)).hasMessageContaining("maxAge");
        assertThatThrownBy(() -> Queue.of("q", String.class).withCapacity(0)).hasMessageContaining("capacity=0");
        assertThatThrownBy(() -> Queue.of("q", String.class).withMaxDeliveries(0))
                .hasMessageContaining("maxDeliveries=0");
        assertThatThrownBy(() -> Queue.of("q", String.class).withAckTimeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("ackTimeout");
        assertThatThrownBy(() -> Fields.none().ttl(Duration.ZERO)).hasMessageContaining("ttl");
        assertThatThrownBy(() -> Fields.none().header(" ", "v")).hasMessageContaining("header name");
        assertThatThrownBy(() -> Start.atSequence(0)).hasMessageContaining("sequence=0");
    }

    @Test
    void shouldRejectWatchOptionsItDoesNotSupport() {
        Selector<String> keys = Selector.of("k/**", String.class);
        assertThatThrownBy(() -> daak.watch(keys, SubscribeOptions.defaults().overflow(Overflow.block(4))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BLOCK");
        assertThatThrownBy(() -> daak.watch(keys, SubscribeOptions.defaults().start(Start.earliest())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("EARLIEST");
    }

    @Test
    void shouldListTheKnownSchemesForAnUnknownOne() {
        assertThatThrownBy(() -> Daak.connect("nope://host:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nope'")
                .hasMessageContaining("local");
        assertThatThrownBy(() -> Daak.connect("no scheme here"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid URI");
        assertThatThrownBy(() -> Daak.connect("local://")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldShareANamedLocalEngine() {
        Daak a = Daak.connect("local://validation-bus");
        Daak b = Daak.connect("local://validation-bus");
        try {
            Topic<String> t = Topic.of("shared", String.class);
            StepVerifier v = b.subscribe(t)
                    .map(Message::value)
                    .take(1)
                    .as(StepVerifier::create)
                    .expectNext("hi")
                    .expectComplete()
                    .verifyLater();
            a.publish(t, "hi").block(Duration.ofSeconds(5));
            v.verify(Duration.ofSeconds(5));
        } finally {
            a.close();
        }
        assertThat(b.isDisposed()).isTrue();
        Daak fresh = Daak.connect("local://validation-bus");
        assertThat(fresh).isNotSameAs(a);
        fresh.close();
    }

    @Test
    void shouldBoundTheNumberOfTopics() {
        try (Daak d = Daak.local(LocalOptions.defaults().maxTopics(2))) {
            d.publish(Topic.of("a", String.class), "x").block(Duration.ofSeconds(5));
            d.publish(Topic.of("b", String.class), "x").block(Duration.ofSeconds(5));
            d.publish(Topic.of("a", String.class), "again").block(Duration.ofSeconds(5));
            StepVerifier.create(d.publish(Topic.of("c", String.class), "x"))
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(DaakException.class)
                            .hasMessageContaining("'c'")
                            .hasMessageContaining("maxTopics=2"))
                    .verify(Duration.ofSeconds(5));
            assertThatThrownBy(() -> d.publication(Topic.of("d", String.class))).hasMessageContaining("maxTopics=2");
        }
        assertThatThrownBy(() -> LocalOptions.defaults().maxTopics(0)).hasMessageContaining("maxTopics=0");
    }

    @Test
    void shouldFailAPublishWaitingForABlockSubscriberWhenTheHandleCloses() {
        Daak d = Daak.local();
        Topic<Integer> t = Topic.of("blocked", Integer.class);
        d.subscribe(t.selector(), SubscribeOptions.defaults().overflow(Overflow.block(1)))
                .subscribeWith(new reactor.core.publisher.BaseSubscriber<Message<Integer>>() {
                    @Override
                    protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                        // takes nothing
                    }
                });
        d.publish(t, 1).block(Duration.ofSeconds(5));
        StepVerifier.create(d.publish(t, 2))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .then(d::close)
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("closed"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void shouldFailOperationsOnAClosedHandleAndCompleteItsStreams() {
        Daak d = Daak.local();
        Topic<String> t = Topic.of("t", String.class);
        StepVerifier open =
                d.subscribe(t).as(StepVerifier::create).expectComplete().verifyLater();
        StepVerifier receiving = d.recv(Queue.of("q", String.class))
                .as(StepVerifier::create)
                .expectComplete()
                .verifyLater();
        d.close();
        open.verify(Duration.ofSeconds(5));
        receiving.verify(Duration.ofSeconds(5));
        StepVerifier.create(d.publish(t, "x"))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("closed"))
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(d.subscribe(t))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("closed"))
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(d.put(Key.of("k", String.class), "x"))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("closed"))
                .verify(Duration.ofSeconds(5));
    }
}
