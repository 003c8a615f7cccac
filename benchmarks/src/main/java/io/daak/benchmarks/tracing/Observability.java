package io.daak.benchmarks.tracing;

import io.daak.core.Interceptor;
import io.daak.core.Invocation;
import io.daak.tracing.DaakMetrics;
import io.daak.tracing.DaakTracing;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.function.Function;
import org.reactivestreams.Publisher;

/** The interceptor setups the benchmarks compare. Stateless. */
enum Observability {
    /** No interceptors at all: for reference, what the engine costs without the observability chain. */
    BARE,
    /** One interceptor that passes every call straight on: what the interceptor chain itself costs. */
    PASS_THROUGH,
    /** Metrics and tracing installed, their registries off: a meter registry with no backend, NOOP observations. */
    OFF,
    /** Metrics into a SimpleMeterRegistry; tracing with NOOP observations. */
    METRICS,
    /** Metrics on; tracing with sampling off ({@code DaakTracing.Builder.sampleProbability(0)}). */
    METRICS_TRACING_UNSAMPLED,
    /** Metrics on; tracing samples everything but a registry predicate refuses every observation. */
    METRICS_TRACING_REFUSED,
    /** Metrics on; tracing with every observation made and handled (by a handler that exports nothing). */
    METRICS_TRACING_ALL;

    /** The chain: metrics first, then tracing, as a user would install them. */
    Interceptor[] interceptors() {
        if (this == BARE) {
            return new Interceptor[0];
        }
        if (this == PASS_THROUGH) {
            return new Interceptor[] {new PassThrough()};
        }
        DaakMetrics metrics = DaakMetrics.of(this == OFF ? new CompositeMeterRegistry() : new SimpleMeterRegistry());
        ObservationRegistry observations = ObservationRegistry.NOOP;
        if (this != OFF && this != METRICS) {
            observations = ObservationRegistry.create();
            observations.observationConfig().observationHandler(new NothingExported());
            if (this == METRICS_TRACING_REFUSED) {
                observations.observationConfig().observationPredicate((name, context) -> false);
            }
        }
        DaakTracing tracing = DaakTracing.builder(observations)
                .sampleProbability(this == METRICS_TRACING_UNSAMPLED ? 0.0 : 1.0)
                .build();
        return new Interceptor[] {metrics, tracing};
    }

    /** Passes every call on unchanged. */
    private static final class PassThrough implements Interceptor {
        @Override
        public <R> Publisher<R> intercept(Invocation invocation, Function<Invocation, Publisher<R>> next) {
            return next.apply(invocation);
        }
    }

    /** Takes every observation and keeps nothing, like an exporter that drops spans. */
    private static final class NothingExported implements ObservationHandler<Observation.Context> {
        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }
}
