package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.Scannable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The interceptor chain around every operation. */
class InterceptorTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    /** Records each call as "name:OPERATION:target". */
    private static Interceptor recording(String name, List<String> log) {
        return new Interceptor() {
            @Override
            public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
                log.add(name + ":" + call.operation() + ":" + call.target());
                return next.apply(call);
            }
        };
    }

    @Test
    void shouldLetAnInterceptorWatchASubscriptionsBacklog() {
        AtomicReference<Scannable> seen = new AtomicReference<>();
        Interceptor watching = new Interceptor() {
            @Override
            public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
                return Flux.from(next.apply(call)).doOnSubscribe(s -> seen.set(Scannable.from(s)));
            }
        };
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(watching))) {
            Topic<String> t = Topic.of("sensors/a", String.class);
            BaseSubscriber<Message<String>> slow = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                    // no demand yet: what is published waits in the subscription's buffer
                }
            };
            daak.subscribe(
                            Selector.of("sensors/**", String.class),
                            SubscribeOptions.defaults().overflow(Overflow.buffer(10)))
                    .subscribe(slow);
            Scannable backlog = seen.get();
            assertThat(backlog.scan(Scannable.Attr.BUFFERED)).isZero();
            assertThat(backlog.scan(Scannable.Attr.CAPACITY)).isEqualTo(10);
            assertThat(backlog.scan(Scannable.Attr.NAME)).isEqualTo("sensors/**");
            for (int i = 0; i < 3; i++) {
                daak.publish(t, "m" + i).block(WAIT);
            }
            assertThat(backlog.scan(Scannable.Attr.BUFFERED)).isEqualTo(3);
            slow.request(2);
            assertThat(backlog.scan(Scannable.Attr.BUFFERED)).isEqualTo(1);
            assertThat(backlog.scan(Scannable.Attr.TERMINATED)).isFalse();
            slow.cancel();
            assertThat(backlog.scan(Scannable.Attr.BUFFERED)).isZero();
            assertThat(backlog.scan(Scannable.Attr.TERMINATED)).isTrue();
        }
    }

    @Test
    void shouldSeeEveryOperationWithItsTarget() {
        List<String> log = new CopyOnWriteArrayList<>();
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(recording("i", log)))) {
            Topic<String> t = Topic.of("t", String.class);
            Key<String> k = Key.of("k", String.class);
            Queue<String> q = Queue.of("q", String.class);
            Service<String, String> s = Service.of("s", String.class, String.class);
            daak.subscribe(t).subscribe().dispose();
            daak.publish(t, "x").block(WAIT);
            daak.put(k, "v").block(WAIT);
            daak.get(k).block(WAIT);
            daak.delete(k).block(WAIT);
            daak.watch(Selector.of("k/**", String.class)).subscribe().dispose();
            daak.send(q, "m").block(WAIT);
            daak.recv(q).take(1).doOnNext(Delivery::ack).blockLast(WAIT);
            daak.serve(s, ServiceHandler.requestReply(Mono::just)).block(WAIT);
            daak.request(s, "r").block(WAIT);
            assertThat(log)
                    .containsExactly(
                            "i:SUBSCRIBE:t",
                            "i:PUBLISH:t",
                            "i:PUT:k",
                            "i:GET:k",
                            "i:DELETE:k",
                            "i:WATCH:k/**",
                            "i:SEND:q",
                            "i:RECV:q",
                            "i:SERVE:s",
                            "i:REQUEST:s",
                            "i:HANDLE:s");
        }
    }

    @Test
    void shouldSeeTheFieldsOfEveryKindOfCall() {
        List<String> senders = new CopyOnWriteArrayList<>();
        Interceptor who = new Interceptor() {
            @Override
            public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
                senders.add(call.operation() + ":" + call.fields().sender());
                return next.apply(call);
            }
        };
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(who))) {
            Fields alice = Fields.none().sender("alice");
            Key<String> k = Key.of("k", String.class);
            daak.subscribe(
                            Selector.of("t", String.class),
                            SubscribeOptions.defaults().fields(alice))
                    .subscribe()
                    .dispose();
            daak.watch(
                            Selector.of("k", String.class),
                            SubscribeOptions.defaults().fields(alice))
                    .subscribe()
                    .dispose();
            daak.entry(k, alice).block(WAIT);
            daak.delete(k, alice).block(WAIT);
            daak.recv(Queue.of("q", String.class), alice).subscribe().dispose();
            daak.serve(Service.of("s", String.class, String.class), ServiceHandler.requestReply(Mono::just), alice)
                    .block(WAIT);
            assertThat(senders)
                    .containsExactly(
                            "SUBSCRIBE:alice", "WATCH:alice", "GET:alice", "DELETE:alice", "RECV:alice", "SERVE:alice");
        }
    }

    @Test
    void shouldLetAnInterceptorSeeASingleValueCallComplete() {
        List<String> ends = new CopyOnWriteArrayList<>();
        Interceptor timing = new Interceptor() {
            @Override
            public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
                return Flux.from(next.apply(call))
                        .doOnComplete(() -> ends.add(call.operation() + ":complete"))
                        .doOnCancel(() -> ends.add(call.operation() + ":cancel"));
            }
        };
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(timing))) {
            daak.publish(Topic.of("t", String.class), "x").block(WAIT);
            daak.put(Key.of("k", String.class), "v").block(WAIT);
            assertThat(ends).containsExactly("PUBLISH:complete", "PUT:complete");
        }
    }

    @Test
    void shouldRunTheChainInTheOrderAdded() {
        List<String> log = new CopyOnWriteArrayList<>();
        try (Daak daak = Daak.local(
                LocalOptions.defaults().interceptor(recording("first", log)).interceptor(recording("second", log)))) {
            daak.publish(Topic.of("t", String.class), "x").block(WAIT);
            assertThat(log).containsExactly("first:PUBLISH:t", "second:PUBLISH:t");
        }
    }

    @Test
    void shouldLetAnInterceptorAddAHeaderThatSubscribersSee() {
        Interceptor tracing = new Interceptor() {
            @Override
            public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
                if (call.operation() == Operation.PUBLISH) {
                    return next.apply(call.withFields(call.fields().header("trace-id", "abc")));
                }
                return next.apply(call);
            }
        };
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(tracing))) {
            Topic<String> t = Topic.of("traced", String.class);
            StepVerifier v = daak.subscribe(t)
                    .take(1)
                    .as(StepVerifier::create)
                    .assertNext(m -> assertThat(m.headers()).containsEntry("trace-id", "abc"))
                    .expectComplete()
                    .verifyLater();
            daak.publish(t, "x").block(WAIT);
            v.verify(WAIT);
        }
    }

    @Test
    void shouldLetAnInterceptorRefuseAPublish() {
        Interceptor guard = new Interceptor() {
            @Override
            public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
                if (call.operation() == Operation.PUBLISH && call.target().startsWith("admin/")) {
                    return Mono.error(new DaakException("not allowed to publish to '" + call.target() + "'"));
                }
                return next.apply(call);
            }
        };
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(guard))) {
            Topic<String> admin = Topic.of("admin/reboot", String.class);
            StepVerifier v = daak.subscribe(admin)
                    .as(StepVerifier::create)
                    .expectSubscription()
                    .expectNoEvent(Duration.ofMillis(100))
                    .thenCancel()
                    .verifyLater();
            StepVerifier.create(daak.publish(admin, "now"))
                    .expectErrorMessage("not allowed to publish to 'admin/reboot'")
                    .verify(WAIT);
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> daak.publication(admin).tryPublish("now"))
                    .hasMessageContaining("not allowed");
            v.verify(WAIT);
        }
    }

    @Test
    void shouldSeeEachDeliveredMessage() {
        List<Object> seen = new CopyOnWriteArrayList<>();
        Interceptor tap = new Interceptor() {
            @Override
            public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
                if (call.operation() == Operation.SUBSCRIBE) {
                    return Flux.from(next.apply(call)).doOnNext(seen::add);
                }
                return next.apply(call);
            }
        };
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(tap))) {
            Topic<Integer> t = Topic.of("tap", Integer.class);
            StepVerifier v = daak.subscribe(t)
                    .take(2)
                    .as(StepVerifier::create)
                    .expectNextCount(2)
                    .expectComplete()
                    .verifyLater();
            daak.publishAll(t, Flux.just(1, 2)).blockLast(WAIT);
            v.verify(WAIT);
            assertThat(seen).hasSize(2).allMatch(m -> m instanceof Message<?>);
        }
    }

    @Test
    void shouldTurnAThrowingInterceptorIntoAnErrorSignal() {
        Interceptor broken = new Interceptor() {
            @Override
            public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
                throw new IllegalStateException("interceptor bug");
            }
        };
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(broken))) {
            StepVerifier.create(daak.publish(Topic.of("t", String.class), "x"))
                    .expectErrorMessage("interceptor bug")
                    .verify(WAIT);
        }
    }
}
