package io.daak.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.DaakException;
import io.daak.core.Interceptor;
import io.daak.core.Invocation;
import io.daak.core.Key;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.Operation;
import io.daak.core.Selector;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.daak.core.Topic;
import io.daak.rsocket.DaakNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The interceptor chain: the examples that {@code docs/interceptors.md} quotes. */
class InterceptorsGuideTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    /** Counts the messages handed to subscriptions, per selector pattern. */
    static final class DeliveryCounter implements Interceptor {
        final Map<String, LongAdder> delivered = new ConcurrentHashMap<>();

        @Override
        public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
            if (call.operation() != Operation.SUBSCRIBE) {
                return next.apply(call);
            }
            LongAdder count = delivered.computeIfAbsent(call.target(), pattern -> new LongAdder());
            return Flux.from(next.apply(call)).doOnNext(message -> count.increment());
        }
    }

    /** Gives every request a trace id header, which the server's handler sees. */
    static final class BacklogWatch implements Interceptor {
        final Set<Scannable> live = ConcurrentHashMap.newKeySet();

        @Override
        public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
            if (call.operation() != Operation.SUBSCRIBE) {
                return next.apply(call);
            }
            Scannable[] mine = new Scannable[1];
            return Flux.from(next.apply(call))
                    .doOnSubscribe(s -> live.add(mine[0] = Scannable.from(s)))
                    .doFinally(signal -> live.remove(mine[0]));
        }

        /** Messages waiting for all live subscribers: the engine's buffers' BUFFERED. */
        int backlog() {
            return live.stream().mapToInt(s -> s.scan(Scannable.Attr.BUFFERED)).sum();
        }
    }

    static final class Tracing implements Interceptor {
        @Override
        public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
            if (call.operation() == Operation.REQUEST
                    && !call.fields().headers().containsKey("trace-id")) {
                call = call.withFields(
                        call.fields().header("trace-id", UUID.randomUUID().toString()));
            }
            return next.apply(call);
        }
    }

    @Test
    void shouldCountWhatEachSubscriptionIsHanded() {
        DeliveryCounter counter = new DeliveryCounter();
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(counter))) {
            Topic<Double> kitchen = Topic.of("home/kitchen/temp", Double.class);
            StepVerifier.create(daak.subscribe(Selector.of("home/**", Double.class)))
                    .then(() -> daak.publishAll(kitchen, Flux.just(20.5, 21.0, 21.5))
                            .subscribe())
                    .expectNextCount(3)
                    .thenCancel()
                    .verify(WAIT);
            assertThat(counter.delivered.get("home/**").sum()).isEqualTo(3);
        }
    }

    @Test
    void shouldSeeTheBacklogOfASlowSubscriber() {
        BacklogWatch watch = new BacklogWatch();
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(watch))) {
            Topic<Double> kitchen = Topic.of("home/kitchen/temp", Double.class);
            StepVerifier.create(daak.subscribe(Selector.of("home/**", Double.class)), 0)
                    .then(() -> daak.publishAll(kitchen, Flux.just(20.5, 21.0, 21.5))
                            .subscribe())
                    .then(() -> assertThat(watch.backlog()).isEqualTo(3))
                    .thenRequest(2)
                    .expectNextCount(2)
                    .then(() -> assertThat(watch.backlog()).isEqualTo(1))
                    .thenCancel()
                    .verify(WAIT);
            assertThat(watch.backlog()).isZero();
        }
    }

    @Test
    void shouldCarryTheTraceIdToTheServersHandler() {
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(new Tracing()))) {
            Service<String, String> whoAmI = Service.of("debug/trace", String.class, String.class);
            ServiceHandler<String, String> echoTrace = new ServiceHandler<>() {
                @Override
                public Mono<String> request(Message<String> request) {
                    return Mono.just(request.headers().getOrDefault("trace-id", "none"));
                }
            };
            daak.serve(whoAmI, echoTrace).block(WAIT);

            String traceId = daak.request(whoAmI, "?").block(WAIT);
            assertThat(traceId).hasSize(36); // a UUID, added by the interceptor
        }
    }

    @Test
    void shouldRunTheChainInTheOrderItWasBuilt() {
        List<String> seen = new CopyOnWriteArrayList<>();
        LocalOptions options = LocalOptions.defaults()
                .interceptor(recorder("outer", seen)) // added first: sees the call first, the result last
                .interceptor(recorder("inner", seen));
        try (Daak daak = Daak.local(options)) {
            daak.put(Key.of("robots/r1/mode", String.class), "auto").block(WAIT);
        }
        assertThat(seen)
                .containsExactly(
                        "outer sees PUT robots/r1/mode",
                        "inner sees PUT robots/r1/mode",
                        "inner gets 1",
                        "outer gets 1");
    }

    private static Interceptor recorder(String name, List<String> seen) {
        return new Interceptor() {
            @Override
            public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
                seen.add(name + " sees " + call.operation() + " " + call.target());
                return Flux.from(next.apply(call)).doOnNext(result -> seen.add(name + " gets " + result));
            }
        };
    }

    @Test
    void shouldRefuseAdminTopicsAndStampTheOthers() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(new Demo.Audit(out)))) {
            Topic<String> shutdown = Topic.of("admin/shutdown", String.class);
            StepVerifier.create(daak.publish(shutdown, "now"))
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(DaakException.class)
                            .hasMessage("not allowed to publish to 'admin/shutdown'"))
                    .verify(WAIT);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("audit: PUBLISH admin/shutdown");
    }

    @Test
    void shouldRunTheChainAroundARemoteClient() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        try (DaakNode node =
                DaakNode.builder().host("127.0.0.1").tcpPort(0).noWebSocket().start()) {
            Daak daak = Daak.intercepted(Daak.connect(node.tcpUri().toString()), new Demo.Audit(out));
            try (daak) {
                StepVerifier.create(daak.publish(Topic.of("admin/shutdown", String.class), "now"))
                        .expectErrorMessage("not allowed to publish to 'admin/shutdown'")
                        .verify(WAIT);
            }
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("audit: PUBLISH admin/shutdown");
    }
}
