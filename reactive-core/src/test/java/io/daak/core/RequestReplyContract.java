package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Request/reply and client/server streams. */
public interface RequestReplyContract extends ContractSupport {

    Duration WAIT = Duration.ofSeconds(10);

    private <Q, R> Registration serve(Service<Q, R> service, ServiceHandler<Q, R> handler) {
        return daak().serve(service, handler).block(WAIT);
    }

    @Test
    default void shouldAnswerARequest() {
        Service<String, Integer> length = Service.of(unique("svc/length"), String.class, Integer.class);
        serve(length, ServiceHandler.requestReply(s -> Mono.just(s.length())));
        StepVerifier.create(daak().request(length, "hello")).expectNext(5).verifyComplete();
    }

    @Test
    default void shouldPassTheRequestFieldsToTheHandler() {
        Service<String, String> who = Service.of(unique("svc/who"), String.class, String.class);
        serve(who, new ServiceHandler<>() {
            @Override
            public Mono<String> request(Message<String> request) {
                return Mono.just(request.sender() + ":" + request.headers().get("lang") + ":" + request.value());
            }
        });
        StepVerifier.create(
                        daak().request(who, "hi", Fields.none().sender("alice").header("lang", "en")))
                .expectNext("alice:en:hi")
                .verifyComplete();
    }

    @Test
    default void shouldStreamResponses() {
        Service<Integer, Integer> countdown = Service.of(unique("svc/countdown"), Integer.class, Integer.class);
        serve(countdown, ServiceHandler.requestStream(n -> Flux.range(0, n + 1).map(i -> n - i)));
        StepVerifier.create(daak().requestStream(countdown, 3))
                .expectNext(3, 2, 1, 0)
                .verifyComplete();
    }

    @Test
    default void shouldRunAChannel() {
        Service<String, String> upper = Service.of(unique("svc/upper"), String.class, String.class);
        serve(upper, ServiceHandler.channel(in -> in.map(String::toUpperCase)));
        StepVerifier.create(daak().channel(upper, Flux.just("a", "b", "c")))
                .expectNext("A", "B", "C")
                .verifyComplete();
    }

    @Test
    default void shouldShareRequestsBetweenServers() {
        Service<Integer, String> svc = Service.of(unique("svc/shared"), Integer.class, String.class);
        serve(svc, ServiceHandler.requestReply(i -> Mono.just("one")));
        serve(svc, ServiceHandler.requestReply(i -> Mono.just("two")));
        StepVerifier.create(Flux.range(0, 10)
                        .concatMap(i -> daak().request(svc, i))
                        .distinct()
                        .sort())
                .expectNext("one", "two")
                .verifyComplete();
    }

    @Test
    default void shouldFailAtOnceWhenNothingServes() {
        Service<String, String> none = Service.of(unique("svc/none"), String.class, String.class);
        // "At once" is about the request, not about a remote handle's first connection: make that first.
        daak().get(Key.of(unique("warm"), String.class)).block(WAIT);
        long start = System.nanoTime();
        StepVerifier.create(daak().request(none, "anyone?"))
                .expectErrorSatisfies(e ->
                        assertThat(e).isInstanceOf(NoRespondersException.class).hasMessageContaining(none.name()))
                .verify(WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        StepVerifier.create(daak().requestStream(none, "x"))
                .expectError(NoRespondersException.class)
                .verify(WAIT);
        StepVerifier.create(daak().channel(none, Flux.just("x")))
                .expectError(NoRespondersException.class)
                .verify(WAIT);
    }

    @Test
    default void shouldSendAHandlerErrorToTheRequesterAndKeepServing() {
        Service<Integer, Integer> picky = Service.of(unique("svc/picky"), Integer.class, Integer.class);
        serve(picky, ServiceHandler.requestReply(i -> {
            if (i == 1) {
                throw new IllegalArgumentException("one is not allowed");
            }
            if (i == 2) {
                return Mono.error(new IllegalStateException("two failed"));
            }
            return Mono.just(i * 10);
        }));
        StepVerifier.create(daak().request(picky, 1))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(ServiceException.class)
                        .hasMessageContaining(picky.name())
                        .hasMessageContaining("one is not allowed"))
                .verify(WAIT);
        StepVerifier.create(daak().request(picky, 2))
                .expectErrorSatisfies(
                        e -> assertThat(e).isInstanceOf(ServiceException.class).hasMessageContaining("two failed"))
                .verify(WAIT);
        StepVerifier.create(daak().request(picky, 3)).expectNext(30).verifyComplete();
    }

    @Test
    default void shouldStopRoutingToADisposedRegistration() {
        Service<String, String> svc = Service.of(unique("svc/dispose"), String.class, String.class);
        Registration first = serve(svc, ServiceHandler.requestReply(s -> Mono.just("first")));
        serve(svc, ServiceHandler.requestReply(s -> Mono.just("second")));
        assertThat(first.service()).isEqualTo(svc.name());
        first.dispose();
        assertThat(first.isDisposed()).isTrue();
        StepVerifier.create(Flux.range(0, 6)
                        .concatMap(i -> daak().request(svc, "x"))
                        .distinct())
                .expectNext("second")
                .verifyComplete();
    }

    @Test
    default void shouldTimeOutAfterTheTimeToLive() {
        Service<String, String> slow = Service.of(unique("svc/slow"), String.class, String.class);
        serve(slow, ServiceHandler.requestReply(s -> Mono.never()));
        StepVerifier.create(daak().request(slow, "x", Fields.none().ttl(Duration.ofMillis(100))))
                .expectError(TimeoutException.class)
                .verify(WAIT);
    }

    @Test
    default void shouldCancelTheHandlersStreamWhenTheRequesterCancels() throws InterruptedException {
        Service<String, Long> ticks = Service.of(unique("svc/ticks"), String.class, Long.class);
        CountDownLatch cancelled = new CountDownLatch(1);
        // Ticks past the requester's demand are dropped: over a network the cancel arrives a little later.
        serve(ticks, ServiceHandler.requestStream(s -> Flux.interval(Duration.ofMillis(1))
                .onBackpressureDrop()
                .doOnCancel(cancelled::countDown)));
        StepVerifier.create(daak().requestStream(ticks, "go").take(3))
                .expectNextCount(3)
                .verifyComplete();
        assertThat(cancelled.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    default void shouldReportAHandlerAnsweringTheWrongType() {
        Service<String, Integer> svc = Service.of(unique("svc/wrong"), String.class, Integer.class);
        @SuppressWarnings({"unchecked", "rawtypes"})
        ServiceHandler<String, Integer> liar = (ServiceHandler) ServiceHandler.requestReply(s -> Mono.just("text"));
        serve(svc, liar);
        StepVerifier.create(daak().request(svc, "x"))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(ServiceException.class)
                        .hasMessageContaining("java.lang.String")
                        .hasMessageContaining("java.lang.Integer"))
                .verify(WAIT);
    }

    @Test
    default void shouldAnswerManyConcurrentRequests() {
        Service<Integer, Integer> twice = Service.of(unique("svc/twice"), Integer.class, Integer.class);
        AtomicInteger handled = new AtomicInteger();
        serve(
                twice,
                ServiceHandler.requestReply(i -> Mono.fromCallable(() -> {
                    handled.incrementAndGet();
                    return i * 2;
                })));
        StepVerifier.create(Flux.range(0, 1_000)
                        .flatMap(
                                i -> daak().request(twice, i).subscribeOn(reactor.core.scheduler.Schedulers.parallel()))
                        .reduce(0L, (a, b) -> a + b))
                .expectNext(999L * 1000)
                .verifyComplete();
        assertThat(handled).hasValue(1_000);
    }
}
