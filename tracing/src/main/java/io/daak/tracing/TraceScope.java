package io.daak.tracing;

import io.micrometer.observation.Observation;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * An observation's scope with the SLF4J MDC set: {@code traceId} and {@code spanId} when a tracer made a
 * span for it, and {@code daak.topic}. Closing restores the previous scope and MDC values.
 *
 * <p>Not thread-safe: open and close on one thread.
 */
final class TraceScope implements AutoCloseable {

    static final String TRACE_ID = "traceId";
    static final String SPAN_ID = "spanId";
    static final String TOPIC = "daak.topic";

    private final Observation.Scope scope;
    private final @Nullable String previousTrace;
    private final @Nullable String previousSpan;
    private final @Nullable String previousTopic;

    private TraceScope(Observation obs, String topic) {
        previousTrace = MDC.get(TRACE_ID);
        previousSpan = MDC.get(SPAN_ID);
        previousTopic = MDC.get(TOPIC);
        scope = obs.openScope();
        TracingObservationHandler.TracingContext tc =
                obs.getContext().get(TracingObservationHandler.TracingContext.class);
        Span span = tc != null ? tc.getSpan() : null;
        if (span != null) {
            MDC.put(TRACE_ID, span.context().traceId());
            MDC.put(SPAN_ID, span.context().spanId());
        }
        MDC.put(TOPIC, topic);
    }

    static TraceScope open(Observation obs, String topic) {
        return new TraceScope(obs, topic);
    }

    @Override
    public void close() {
        scope.close();
        restore(TRACE_ID, previousTrace);
        restore(SPAN_ID, previousSpan);
        restore(TOPIC, previousTopic);
    }

    private static void restore(String key, @Nullable String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
