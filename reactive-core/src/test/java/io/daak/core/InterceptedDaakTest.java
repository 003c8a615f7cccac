package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** {@link Daak#intercepted(Daak, Interceptor...)} around a handle that has no chain of its own. */
class InterceptedDaakTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    /** Logs "OPERATION:target" and adds the header hop=name to every call. */
    private static Interceptor stamping(String name, List<String> log) {
        return new Interceptor() {
            @Override
            public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
                log.add(call.operation() + ":" + call.target() + ":"
                        + call.fields().headers());
                return next.apply(call.withFields(call.fields().header("hop", name)));
            }
        };
    }

    @Test
    void anInProcessHandleShouldHaveNoConnectionEventsAndTheWrapperShouldPassThemOn() {
        try (Daak daak = Daak.intercepted(Daak.local())) {
            StepVerifier.create(daak.connectionEvents()).expectComplete().verify(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldRunTheChainAroundEveryCallAndPassChangedFieldsOn() {
        List<String> log = new CopyOnWriteArrayList<>();
        try (Daak daak = Daak.intercepted(Daak.local(), stamping("a", log))) {
            Topic<String> t = Topic.of("t", String.class);
            Service<String, String> s = Service.of("s", String.class, String.class);
            Flux<Message<String>> sub = daak.subscribe(t).take(2).cache();
            sub.subscribe();
            daak.publish(t, "x").block(WAIT);
            assertThat(daak.publication(t).tryPublish("y")).isTrue();
            StepVerifier.create(sub.map(m -> m.value() + m.headers()))
                    .expectNext("x{hop=a}", "y{hop=a}")
                    .verifyComplete();

            daak.serve(s, ServiceHandler.<String, String>requestReply(q -> Mono.just(q)))
                    .block(WAIT);
            Service<String, String> echoHeaders = Service.of("h", String.class, String.class);
            daak.serve(echoHeaders, new ServiceHandler<String, String>() {
                        @Override
                        public Mono<String> request(Message<String> request) {
                            return Mono.just(request.headers().toString());
                        }
                    })
                    .block(WAIT);
            StepVerifier.create(daak.request(echoHeaders, "q"))
                    .expectNext("{hop=a}")
                    .verifyComplete();
            assertThat(log)
                    .contains("SUBSCRIBE:t:{}", "PUBLISH:t:{}", "SERVE:h:{}", "REQUEST:h:{}", "HANDLE:h:{hop=a}");
        }
    }

    @Test
    void shouldRefuseACallWhenAnInterceptorErrors() {
        Interceptor refuse = new Interceptor() {
            @Override
            public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
                return Mono.error(new DaakException("no " + call.target()));
            }
        };
        try (Daak daak = Daak.intercepted(Daak.local(), refuse)) {
            StepVerifier.create(daak.publish(Topic.of("t", String.class), "x"))
                    .expectErrorMessage("no t")
                    .verify(WAIT);
        }
    }
}
