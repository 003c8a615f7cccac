package io.daak.tracing;

import io.daak.core.Delivery;
import io.daak.core.Interceptor;
import io.daak.core.Invocation;
import io.daak.core.Message;
import io.daak.core.Operation;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Distributed tracing through Micrometer Observation, as an {@link Interceptor}: a span per publish,
 * send, put and request, per delivered message, per received queue delivery and per request a served
 * handler answers. The trace context travels in the message headers ({@code Fields.headers}, e.g. W3C
 * {@code traceparent}), so a request from client A through a node to server B is one trace, whatever the
 * transport.
 *
 * <pre>{@code
 * ObservationRegistry observations = ObservationRegistry.create();
 * observations.observationConfig().observationHandler(new FirstMatchingCompositeObservationHandler(
 *     new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
 *     new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
 *     new DefaultTracingObservationHandler(tracer)));
 * Daak daak = Daak.intercepted(Daak.connect("tcp://localhost:7878"), DaakTracing.of(observations));
 * }</pre>
 *
 * <p>Which observation is the parent of an outgoing call: the one in the Reactor context
 * ({@code ObservationThreadLocalAccessor.KEY}), else the registry's current one (for example inside a
 * handler or a subscriber's {@code onNext}, which run in their span's scope). An outgoing call that has
 * no local parent but already carries a trace context in its headers is a hop that relays a message (a
 * node's engine sees every client call this way): its span is a child of the incoming context and the
 * headers pass on unchanged.
 *
 * <p>While a subscriber handles a message and while a handler answers a request, the span is current and
 * the SLF4J MDC holds {@code traceId}, {@code spanId} (when a tracer is behind the registry) and
 * {@code daak.topic} (the topic, queue or service).
 *
 * <h2>Sampling</h2>
 *
 * <p>Which calls and messages are traced is decided before any observation, context or map is made:
 *
 * <ul>
 *   <li>a call or message that carries a trace context in its headers follows the decision in it (W3C
 *       {@code traceparent} flags, B3's sampling field): an unsampled one passes on untouched, headers
 *       and all, so every later hop knows it too;
 *   <li>a call made inside a traced span (the parent in the Reactor context or current) is traced;
 *   <li>anything else starts a trace with the probability of {@link Builder#sampleProbability(double)}
 *       (1 by default: every one). {@code sampleProbability(0)} turns sampling off: untraced traffic then
 *       costs a header lookup per message.
 * </ul>
 *
 * <p>The registry's own predicates still apply to what is sampled: an observation a predicate refuses
 * adds no headers, no operators and no MDC entries (but costs an {@code Observation.Context} per call to
 * find out). With {@link ObservationRegistry#NOOP} the interceptor passes calls straight on.
 *
 * <pre>{@code
 * DaakTracing tracing = DaakTracing.builder(observations).sampleProbability(0.01).build(); // 1 trace in 100
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class DaakTracing implements Interceptor {

    private final ObservationRegistry registry;
    private final double probability;

    private DaakTracing(ObservationRegistry registry, double probability) {
        this.registry = registry;
        this.probability = probability;
    }

    /**
     * Tracing through a registry, every trace sampled (the registry's predicates still apply).
     *
     * @param registry the observation registry, with tracing handlers (and a propagator) configured
     * @return the interceptor
     */
    public static DaakTracing of(ObservationRegistry registry) {
        return builder(registry).build();
    }

    /**
     * Starts building tracing through a registry.
     *
     * @param registry the observation registry, with tracing handlers (and a propagator) configured
     * @return the builder
     */
    public static Builder builder(ObservationRegistry registry) {
        return new Builder(Objects.requireNonNull(registry, "registry"));
    }

    @Override
    public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
        if (registry.isNoop()) {
            return next.apply(call);
        }
        return switch (call.operation()) {
            case PUBLISH, SEND, PUT -> outgoing(call, next, Kind.PRODUCER);
            case REQUEST, REQUEST_STREAM, CHANNEL -> outgoing(call, next, Kind.CLIENT);
            case SUBSCRIBE, RECV -> Flux.from(next.apply(call)).transform(this::deliveries);
            case HANDLE -> handled(call, next);
            default -> next.apply(call);
        };
    }

    /** Whether a trace starts here: the sampler's decision for a call or message without a parent. */
    private boolean sampleRoot() {
        return probability >= 1.0
                || (probability > 0.0 && ThreadLocalRandom.current().nextDouble() < probability);
    }

    /** Whether a message or incoming call with these headers is traced here (nothing allocated). */
    private boolean sampledReceived(Map<String, String> headers) {
        int carried = CarriedSampling.of(headers);
        return carried == CarriedSampling.SAMPLED || (carried == CarriedSampling.NONE && sampleRoot());
    }

    private static final String[] OPERATIONS = new String[Operation.values().length];
    private static final String[] NAMES = new String[OPERATIONS.length];

    static {
        for (Operation op : Operation.values()) {
            OPERATIONS[op.ordinal()] = op.name().toLowerCase(Locale.ROOT);
            NAMES[op.ordinal()] = "daak." + OPERATIONS[op.ordinal()];
        }
    }

    private <R> Publisher<R> outgoing(Invocation call, Function<Invocation, Publisher<R>> next, Kind kind) {
        int carried = CarriedSampling.of(call.fields().headers());
        if (carried == CarriedSampling.UNSAMPLED) {
            return next.apply(call); // a relayed, unsampled trace: its headers carry the decision on
        }
        return new Flux<R>() {
            @Override
            public void subscribe(CoreSubscriber<? super R> actual) {
                Publisher<R> result;
                try {
                    Observation parent = parent(actual.currentContext());
                    boolean sampled =
                            parent != null ? !parent.isNoop() : carried == CarriedSampling.SAMPLED || sampleRoot();
                    result = sampled ? traced(call, next, kind, parent) : next.apply(call);
                } catch (RuntimeException e) {
                    Operators.error(actual, Operators.onOperatorError(e, actual.currentContext()));
                    return;
                }
                InnerSubscribe.to(result, actual);
            }
        };
    }

    /** The call in a span of its own: a child of {@code parent}, else of the trace context in its headers. */
    private <R> Publisher<R> traced(
            Invocation call, Function<Invocation, Publisher<R>> next, Kind kind, @Nullable Observation parent) {
        Map<String, String> headers = call.fields().headers();
        Observation obs;
        Invocation out = call;
        if (parent == null && CarriedSampling.of(headers) != CarriedSampling.NONE) {
            obs = received(call.operation(), call.target(), headers, kind == Kind.CLIENT ? Kind.SERVER : Kind.CONSUMER);
        } else {
            Map<String, String> carrier = new LinkedHashMap<>();
            SenderContext<Map<String, String>> sc = new SenderContext<>((c, k, v) -> c.put(k, v), kind);
            sc.setCarrier(carrier);
            obs = observation(call.operation(), call.target(), sc).parentObservation(parent);
            obs.start();
            if (!carrier.isEmpty()) {
                out = call.withFields(call.fields().headers(carrier));
            }
        }
        if (obs.isNoop()) {
            return next.apply(call); // a predicate refused it: nothing to carry or stop
        }
        Observation span = obs;
        return stoppedBeforeTheEnd(Flux.from(next.apply(out)), span)
                .contextWrite(c -> c.put(ObservationThreadLocalAccessor.KEY, span));
    }

    /**
     * Stops the observation when the call ends, before its end reaches the caller: whoever sees the call
     * complete (a test included) sees its span finished.
     */
    private static <R> Flux<R> stoppedBeforeTheEnd(Flux<R> call, Observation obs) {
        return call.doOnComplete(obs::stop)
                .doOnError(e -> {
                    obs.error(e);
                    obs.stop();
                })
                .doOnCancel(obs::stop);
    }

    private @Nullable Observation parent(ContextView ctx) {
        Observation inContext = ctx.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
        return inContext != null ? inContext : registry.getCurrentObservation();
    }

    private Observation observation(Operation op, String target, Observation.Context context) {
        Observation obs = Observation.createNotStarted(NAMES[op.ordinal()], () -> context, registry);
        if (obs.isNoop()) {
            return obs;
        }
        String operation = OPERATIONS[op.ordinal()];
        return obs.contextualName(operation + " " + target)
                .lowCardinalityKeyValue("daak.operation", operation)
                .highCardinalityKeyValue("daak.target", target);
    }

    /** A started observation whose parent is the trace context in {@code headers}. */
    private Observation received(Operation op, String target, Map<String, String> headers, Kind kind) {
        ReceiverContext<Map<String, String>> rc = new ReceiverContext<>((c, k) -> c.get(k), kind);
        rc.setCarrier(headers);
        return observation(op, target, rc).start();
    }

    /** A handler answers a request: its span is the receiver's side of the request's. */
    private <R> Publisher<R> handled(Invocation call, Function<Invocation, Publisher<R>> next) {
        return Flux.defer(() -> {
            if (!sampledReceived(call.fields().headers())) {
                return next.apply(call);
            }
            Observation obs =
                    received(Operation.HANDLE, call.target(), call.fields().headers(), Kind.SERVER);
            if (obs.isNoop()) {
                return next.apply(call);
            }
            // Subscribing runs the handler's own code: do it in the span's scope, with the MDC set.
            Publisher<R> work = next.apply(call);
            Publisher<R> scoped = s -> {
                try (TraceScope scope = TraceScope.open(obs, call.target())) {
                    work.subscribe(s);
                }
            };
            return stoppedBeforeTheEnd(Flux.from(scoped), obs)
                    .contextWrite(c -> c.put(ObservationThreadLocalAccessor.KEY, obs));
        });
    }

    /** A span per delivered message (or queue delivery), current while the subscriber handles it. */
    private <R> Flux<R> deliveries(Flux<R> messages) {
        return new Flux<R>() {
            @Override
            public void subscribe(CoreSubscriber<? super R> actual) {
                InnerSubscribe.to(messages, new DeliverySubscriber<>(actual));
            }
        };
    }

    /** Scannable, so that a subscription's buffers above it stay visible (DaakMetrics' backlog gauge). */
    private final class DeliverySubscriber<R> implements CoreSubscriber<R>, Subscription, Scannable {
        private final CoreSubscriber<? super R> actual;
        private @Nullable Subscription upstream;

        DeliverySubscriber(CoreSubscriber<? super R> actual) {
            this.actual = actual;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            upstream = s;
            actual.onSubscribe(this);
        }

        @Override
        public @Nullable Object scanUnsafe(Attr key) {
            if (key == Attr.PARENT) {
                return upstream;
            }
            if (key == Attr.ACTUAL) {
                return actual;
            }
            return null;
        }

        @Override
        public void onNext(R element) {
            Message<?> m =
                    element instanceof Message<?> msg ? msg : element instanceof Delivery<?> d ? d.message() : null;
            if (m == null) {
                actual.onNext(element);
                return;
            }
            if (!sampledReceived(m.headers())) {
                actual.onNext(element);
                return;
            }
            Operation op = element instanceof Delivery<?> ? Operation.RECV : Operation.SUBSCRIBE;
            Observation obs = received(op, m.topic(), m.headers(), Kind.CONSUMER);
            if (obs.isNoop()) {
                actual.onNext(element);
                return;
            }
            try (TraceScope scope = TraceScope.open(obs, m.topic())) {
                actual.onNext(element);
            } catch (RuntimeException e) {
                obs.error(e);
                throw e;
            } finally {
                obs.stop();
            }
        }

        @Override
        public void onError(Throwable t) {
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            Subscription s = upstream;
            if (s != null) {
                s.request(n);
            }
        }

        @Override
        public void cancel() {
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
        }
    }

    /** Settings of {@link DaakTracing}. Not thread-safe. */
    public static final class Builder {
        private final ObservationRegistry registry;
        private double probability = 1.0;

        private Builder(ObservationRegistry registry) {
            this.registry = registry;
        }

        /**
         * The probability that a call or message without a trace context (and without a traced parent)
         * starts a trace: 1 (the default) traces every one, 0 none. Calls and messages that carry a trace
         * context follow its decision whatever this says.
         *
         * @param probability from 0 to 1
         * @return this
         */
        public Builder sampleProbability(double probability) {
            if (!(probability >= 0.0 && probability <= 1.0)) {
                throw new IllegalArgumentException("sampleProbability=" + probability + " must be from 0 to 1");
            }
            this.probability = probability;
            return this;
        }

        /**
         * Builds the interceptor.
         *
         * @return the tracing interceptor
         */
        public DaakTracing build() {
            return new DaakTracing(registry, probability);
        }
    }
}
