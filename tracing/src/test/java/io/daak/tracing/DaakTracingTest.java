package io.daak.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.Fields;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.Selector;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.daak.core.Topic;
import io.daak.rsocket.DaakNode;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.MDC;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** One trace across a real TCP hop: client A, a node, server/subscriber B, with the test tracer. */
class DaakTracingTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private SimpleTracer tracer;
    private ObservationRegistry observations;

    @BeforeEach
    void tracer() {
        tracer = new SampledTracer();
        W3CPropagator propagator = new W3CPropagator(tracer);
        observations = ObservationRegistry.create();
        observations
                .observationConfig()
                .observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                        new DefaultTracingObservationHandler(tracer)));
    }

    private static DaakNode node(LocalOptions engine) {
        return DaakNode.builder()
                .host("127.0.0.1")
                .tcpPort(0)
                .webSocketPort(0)
                .engine(engine)
                .start();
    }

    private Daak client(DaakNode node) {
        return Daak.intercepted(Daak.connect(node.tcpUri().toString()), DaakTracing.of(observations));
    }

    private SimpleSpan span(String name) {
        return tracer.getSpans().stream()
                .filter(s -> name.equals(s.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no span '" + name + "' in " + names()));
    }

    private List<String> names() {
        return tracer.getSpans().stream().map(SimpleSpan::getName).toList();
    }

    @Test
    void shouldMakeOneTraceFromClientThroughTheNodeToTheServer() {
        Map<String, String> mdc = new ConcurrentHashMap<>();
        Service<String, String> echo = Service.of("echo", String.class, String.class);
        try (DaakNode node = node(LocalOptions.defaults());
                Daak a = client(node);
                Daak b = client(node)) {
            b.serve(echo, ServiceHandler.<String, String>requestReply(q -> {
                        mdc.putAll(MDC.getCopyOfContextMap());
                        return Mono.just(q + "!");
                    }))
                    .block(WAIT);
            assertThat(a.request(echo, "hi").block(WAIT)).isEqualTo("hi!");
        }
        SimpleSpan request = span("request echo");
        SimpleSpan handle = span("handle echo");
        assertThat(handle.getTraceId()).isEqualTo(request.getTraceId());
        assertThat(handle.getParentId()).isEqualTo(request.getSpanId());
        assertThat(mdc)
                .containsEntry("traceId", request.getTraceId())
                .containsEntry("spanId", handle.getSpanId())
                .containsEntry("daak.topic", "echo");
    }

    @Test
    void shouldMakeEachDeliveryAChildOfItsPublish() {
        Map<String, String> mdc = new ConcurrentHashMap<>();
        try (DaakNode node = node(LocalOptions.defaults());
                Daak a = client(node);
                Daak b = client(node)) {
            Flux<Message<String>> sub = b.subscribe(Selector.of("sensors/**", String.class))
                    .doOnNext(m -> mdc.putAll(MDC.getCopyOfContextMap()))
                    .take(1)
                    .cache();
            sub.subscribe();
            awaitSubscriber(a, "sensors/t");
            sub.blockLast(WAIT);
        }
        List<SimpleSpan> publishes = tracer.getSpans().stream()
                .filter(s -> s.getName().equals("publish sensors/t"))
                .toList();
        SimpleSpan delivery = span("subscribe sensors/t");
        assertThat(publishes).anySatisfy(p -> {
            assertThat(delivery.getTraceId()).isEqualTo(p.getTraceId());
            assertThat(delivery.getParentId()).isEqualTo(p.getSpanId());
        });
        assertThat(mdc).containsEntry("traceId", delivery.getTraceId()).containsEntry("daak.topic", "sensors/t");
    }

    @Test
    void shouldAddTheNodesOwnSpansToTheSameTrace() {
        Service<String, String> echo = Service.of("echo", String.class, String.class);
        try (DaakNode node = node(LocalOptions.defaults().interceptor(DaakTracing.of(observations)));
                Daak a = client(node);
                Daak b = client(node)) {
            b.serve(echo, q -> Mono.just(q)).block(WAIT);
            a.request(echo, "hi").block(WAIT);
        }
        SimpleSpan request = span("request echo");
        assertThat(tracer.getSpans()).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(request.getTraceId()));
        // A's request; the node's request and its forward to B (children of A's); B's handle.
        assertThat(tracer.getSpans().stream().filter(s -> request.getSpanId().equals(s.getParentId())))
                .hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void shouldNestACallMadeInsideAHandlerUnderTheHandlersSpan() {
        Service<String, String> outer = Service.of("outer", String.class, String.class);
        Service<String, String> inner = Service.of("inner", String.class, String.class);
        try (DaakNode node = node(LocalOptions.defaults());
                Daak a = client(node);
                Daak b = client(node)) {
            b.serve(inner, q -> Mono.just(q)).block(WAIT);
            b.serve(outer, q -> b.request(inner, q)).block(WAIT);
            a.request(outer, "x").block(WAIT);
        }
        SimpleSpan handleOuter = span("handle outer");
        SimpleSpan requestInner = span("request inner");
        assertThat(requestInner.getParentId()).isEqualTo(handleOuter.getSpanId());
        assertThat(span("handle inner").getTraceId())
                .isEqualTo(span("request outer").getTraceId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp", "ws"})
    void shouldMakeOneTraceOverEveryHop(String hop) {
        Service<String, String> echo = Service.of("echo", String.class, String.class);
        try (DaakNode node = node(LocalOptions.defaults());
                Daak shared = Daak.local()) {
            String uri = hop.equals("tcp")
                    ? node.tcpUri().toString()
                    : node.webSocketUri().toString();
            Daak a = hop.equals("local")
                    ? Daak.intercepted(shared, DaakTracing.of(observations))
                    : Daak.intercepted(Daak.connect(uri), DaakTracing.of(observations));
            Daak b = hop.equals("local")
                    ? Daak.intercepted(shared, DaakTracing.of(observations))
                    : Daak.intercepted(Daak.connect(uri), DaakTracing.of(observations));
            try (a;
                    b) {
                b.serve(echo, q -> Mono.just(q)).block(WAIT);
                a.request(echo, "hi").block(WAIT);
            }
        }
        SimpleSpan request = span("request echo");
        SimpleSpan handle = span("handle echo");
        assertThat(handle.getTraceId()).isEqualTo(request.getTraceId());
        assertThat(handle.getParentId()).isEqualTo(request.getSpanId());
    }

    @Test
    void shouldAddNothingWhenSamplingIsOff() {
        observations.observationConfig().observationPredicate((name, context) -> false);
        try (Daak daak = Daak.intercepted(Daak.local(), DaakTracing.of(observations))) {
            Flux<Message<String>> sub =
                    daak.subscribe(Topic.of("t", String.class)).take(1).cache();
            sub.subscribe();
            daak.publish(Topic.of("t", String.class), "x").block(WAIT);
            assertThat(sub.blockLast(WAIT).headers()).isEmpty();
        }
        assertThat(tracer.getSpans()).isEmpty();
    }

    @Test
    void shouldTraceNothingAndAddNoHeadersWithSampleProbabilityZero() {
        DaakTracing off = DaakTracing.builder(observations).sampleProbability(0).build();
        Topic<String> t = Topic.of("t", String.class);
        try (Daak daak = Daak.intercepted(Daak.local(), off)) {
            Flux<Message<String>> sub = daak.subscribe(t).take(2).cache();
            sub.subscribe();
            daak.publish(t, "x").block(WAIT);
            daak.publication(t).tryPublish("y");
            assertThat(sub.collectList().block(WAIT))
                    .allSatisfy(m -> assertThat(m.headers()).isEmpty());
        }
        assertThat(tracer.getSpans()).isEmpty();
    }

    @Test
    void shouldFollowTheUnsampledDecisionAMessageCarriesAndPassItOnUnchanged() {
        String unsampled = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
        Topic<String> t = Topic.of("t", String.class);
        try (Daak daak = Daak.intercepted(Daak.local(), DaakTracing.of(observations))) {
            Flux<Message<String>> sub = daak.subscribe(t).take(1).cache();
            sub.subscribe();
            daak.publish(t, "x", Fields.none().header("traceparent", unsampled)).block(WAIT);
            assertThat(sub.blockLast(WAIT).headers()).containsExactly(Map.entry("traceparent", unsampled));
        }
        assertThat(tracer.getSpans()).isEmpty();
    }

    @Test
    void shouldTraceWhatASampledParentStartedEvenWithSamplingOff() {
        String sampled = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        DaakTracing off = DaakTracing.builder(observations).sampleProbability(0).build();
        Topic<String> t = Topic.of("t", String.class);
        try (Daak daak = Daak.intercepted(Daak.local(), off)) {
            Flux<Message<String>> sub = daak.subscribe(t).take(1).cache();
            sub.subscribe();
            daak.publish(t, "x", Fields.none().header("traceparent", sampled)).block(WAIT);
            sub.blockLast(WAIT);
        }
        assertThat(names()).contains("publish t", "subscribe t");
        assertThat(tracer.getSpans())
                .allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c"));
        assertThat(span("publish t").getParentId()).isEqualTo("b7ad6b7169203331");
    }

    @Test
    void shouldTraceACallMadeInsideASampledHandlerEvenWithSamplingOff() {
        Service<String, String> outer = Service.of("outer", String.class, String.class);
        Service<String, String> inner = Service.of("inner", String.class, String.class);
        DaakTracing off = DaakTracing.builder(observations).sampleProbability(0).build();
        try (DaakNode node = node(LocalOptions.defaults());
                Daak a = client(node);
                Daak b = Daak.intercepted(Daak.connect(node.tcpUri().toString()), off)) {
            b.serve(inner, q -> Mono.just(q)).block(WAIT);
            b.serve(outer, q -> b.request(inner, q)).block(WAIT);
            a.request(outer, "x").block(WAIT);
            int before = tracer.getSpans().size();
            b.request(inner, "untraced").block(WAIT); // no parent, sampling off: no span
            assertThat(tracer.getSpans()).hasSize(before);
        }
        assertThat(span("request inner").getParentId())
                .isEqualTo(span("handle outer").getSpanId());
        assertThat(span("handle inner").getTraceId())
                .isEqualTo(span("request outer").getTraceId());
    }

    @Test
    void shouldSignalAFailingObservationHandlerAsAnError() {
        ObservationRegistry failing = ObservationRegistry.create();
        failing.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStart(io.micrometer.observation.Observation.Context context) {
                throw new IllegalStateException("handler broke");
            }

            @Override
            public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
                return true;
            }
        });
        try (Daak daak = Daak.intercepted(Daak.local(), DaakTracing.of(failing))) {
            StepVerifier.create(daak.publish(Topic.of("t", String.class), "x"))
                    .expectErrorMessage("handler broke")
                    .verify(WAIT);
        }
    }

    @Test
    void shouldRefuseAProbabilityOutsideZeroToOne() {
        DaakTracing.Builder b = DaakTracing.builder(observations);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> b.sampleProbability(1.5))
                .withMessageContaining("sampleProbability=1.5");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> b.sampleProbability(Double.NaN));
    }

    static void awaitSubscriber(Daak a, String topic) {
        Topic<String> t = Topic.of(topic, String.class);
        Flux.interval(Duration.ofMillis(5))
                .onBackpressureDrop()
                .concatMap(i -> a.publish(t, "p"))
                .takeUntil(p -> p.matched() >= 1)
                .blockLast(WAIT);
    }
}
