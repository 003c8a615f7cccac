package io.daak.tracing;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleSpanBuilder;
import io.micrometer.tracing.test.simple.SimpleTracer;
import org.jspecify.annotations.Nullable;

/**
 * The test tracer of {@code micrometer-tracing-test}, with every span it makes marked sampled. The plain
 * {@link SimpleTracer} records every span but marks them all unsampled, so a propagator would tell the next
 * hop not to trace (W3C flags {@code 00}), which {@link DaakTracing} follows.
 *
 * <p>Thread-safe as {@link SimpleTracer} is.
 */
final class SampledTracer extends SimpleTracer {

    @Override
    public SimpleSpan nextSpan() {
        return sampled(super.nextSpan());
    }

    @Override
    public SimpleSpan nextSpan(@Nullable Span parent) {
        return sampled(super.nextSpan(parent));
    }

    @Override
    public SimpleSpanBuilder spanBuilder() {
        return new SimpleSpanBuilder(this) {
            @Override
            public Span start() {
                Span span = super.start();
                return span instanceof SimpleSpan simple ? sampled(simple) : span;
            }
        };
    }

    private static SimpleSpan sampled(SimpleSpan span) {
        span.context().setSampled(true);
        return span;
    }
}
