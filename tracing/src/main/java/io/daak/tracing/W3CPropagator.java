package io.daak.tracing;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The W3C Trace Context {@code traceparent} header ({@code 00-<trace id>-<span id>-<flags>}) for any
 * Micrometer {@link Tracer}, for tracers that bring no propagator of their own (such as the test tracer
 * of {@code micrometer-tracing-test}). The OpenTelemetry and Brave bridges have their own; use those
 * with them.
 *
 * <p>64-bit trace ids are written left-padded to 32 hex digits and read back without the padding. The
 * sampled flag is {@code 00} only for a context the tracer marked unsampled; receivers such as
 * {@link DaakTracing} follow it.
 * Thread-safe.
 */
public final class W3CPropagator implements Propagator {

    /** The header name. */
    public static final String TRACEPARENT = "traceparent";

    private final Tracer tracer;

    /**
     * A propagator making spans with a tracer.
     *
     * @param tracer builds the extracted contexts and spans
     */
    public W3CPropagator(Tracer tracer) {
        this.tracer = Objects.requireNonNull(tracer, "tracer");
    }

    @Override
    public List<String> fields() {
        return List.of(TRACEPARENT);
    }

    @Override
    public <C> void inject(TraceContext context, @Nullable C carrier, Setter<C> setter) {
        // Unsampled only when the tracer said so: a deferred decision (null) is passed on as sampled, since
        // receivers (DaakTracing among them) follow the flag and would otherwise drop the trace.
        String flags = Boolean.FALSE.equals(context.sampled()) ? "00" : "01";
        setter.set(
                carrier,
                TRACEPARENT,
                "00-" + pad(context.traceId(), 32) + "-" + pad(context.spanId(), 16) + "-" + flags);
    }

    @Override
    public <C> Span.Builder extract(C carrier, Getter<C> getter) {
        String value = getter.get(carrier, TRACEPARENT);
        TraceContext parent = value == null ? null : parse(value);
        Span.Builder builder = tracer.spanBuilder();
        return parent == null ? builder : builder.setParent(parent);
    }

    private @Nullable TraceContext parse(String value) {
        String[] parts = value.trim().split("-");
        if (parts.length < 4
                || parts[0].length() != 2
                || parts[1].length() != 32
                || parts[2].length() != 16
                || parts[3].length() != 2
                || !isHex(parts[1])
                || !isHex(parts[2])
                || parts[1].equals("0".repeat(32))
                || parts[2].equals("0".repeat(16))) {
            return null;
        }
        String traceId = parts[1].startsWith("0000000000000000") ? parts[1].substring(16) : parts[1];
        boolean sampled = (Integer.parseInt(parts[3], 16) & 1) == 1;
        return tracer.traceContextBuilder()
                .traceId(traceId)
                .spanId(parts[2])
                .sampled(sampled)
                .build();
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String pad(String id, int length) {
        return id.length() >= length ? id : "0".repeat(length - id.length()) + id;
    }
}
