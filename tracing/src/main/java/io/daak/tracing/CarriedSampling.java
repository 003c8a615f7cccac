package io.daak.tracing;

import java.util.Map;

/**
 * Reads the sampling decision a trace context in message headers carries, without parsing the rest of it
 * and without allocating: W3C {@code traceparent} (bit 0 of its flags), B3 single ({@code b3}, its
 * sampling field) and B3 multi ({@code X-B3-Sampled}).
 *
 * <p>Stateless and thread-safe.
 */
final class CarriedSampling {

    /** No trace context in the headers: the message starts a trace here. */
    static final int NONE = 0;
    /** A trace context whose sender sampled it, or left the decision to the receiver. */
    static final int SAMPLED = 1;
    /** A trace context its sender did not sample: the receiver follows that decision. */
    static final int UNSAMPLED = 2;

    /** {@code 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>}: the flags' low digit. */
    private static final int TRACEPARENT_FLAGS_LOW = 54;

    private CarriedSampling() {}

    /**
     * The decision carried by {@code headers}: {@link #NONE}, {@link #SAMPLED} or {@link #UNSAMPLED}. A
     * context without a readable decision counts as sampled (the tracer decides, as before).
     */
    static int of(Map<String, String> headers) {
        if (headers.isEmpty()) {
            return NONE;
        }
        String traceparent = headers.get(W3CPropagator.TRACEPARENT);
        if (traceparent != null) {
            if (traceparent.length() > TRACEPARENT_FLAGS_LOW && traceparent.charAt(TRACEPARENT_FLAGS_LOW - 2) == '-') {
                int low = Character.digit(traceparent.charAt(TRACEPARENT_FLAGS_LOW), 16);
                return low >= 0 && (low & 1) == 0 ? UNSAMPLED : SAMPLED;
            }
            return SAMPLED;
        }
        String b3 = headers.get("b3");
        if (b3 != null) {
            return b3Single(b3);
        }
        if (headers.containsKey("X-B3-TraceId")) {
            return "0".equals(headers.get("X-B3-Sampled")) ? UNSAMPLED : SAMPLED;
        }
        return NONE;
    }

    /** {@code b3: 0}, or {@code <trace>-<span>-<sampled>[-<parent>]} where sampled is 0, 1 or d. */
    private static int b3Single(String b3) {
        if (b3.equals("0")) {
            return UNSAMPLED;
        }
        int first = b3.indexOf('-');
        int second = first < 0 ? -1 : b3.indexOf('-', first + 1);
        if (second < 0 || second + 1 >= b3.length()) {
            return SAMPLED;
        }
        boolean zero = b3.charAt(second + 1) == '0' && (second + 2 == b3.length() || b3.charAt(second + 2) == '-');
        return zero ? UNSAMPLED : SAMPLED;
    }
}
