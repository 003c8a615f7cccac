package io.daak.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CarriedSamplingTest {

    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String SPAN = "b7ad6b7169203331";

    @Test
    void shouldReadTheW3CSampledFlag() {
        assertThat(CarriedSampling.of(Map.of("traceparent", "00-" + TRACE + "-" + SPAN + "-01")))
                .isEqualTo(CarriedSampling.SAMPLED);
        assertThat(CarriedSampling.of(Map.of("traceparent", "00-" + TRACE + "-" + SPAN + "-00")))
                .isEqualTo(CarriedSampling.UNSAMPLED);
        assertThat(CarriedSampling.of(Map.of("traceparent", "00-" + TRACE + "-" + SPAN + "-03")))
                .isEqualTo(CarriedSampling.SAMPLED);
        assertThat(CarriedSampling.of(Map.of("traceparent", "00-" + TRACE + "-" + SPAN + "-02")))
                .isEqualTo(CarriedSampling.UNSAMPLED);
    }

    @Test
    void shouldLeaveAnUnreadableContextToTheTracer() {
        assertThat(CarriedSampling.of(Map.of("traceparent", "garbage"))).isEqualTo(CarriedSampling.SAMPLED);
        assertThat(CarriedSampling.of(Map.of("b3", TRACE + "-" + SPAN))).isEqualTo(CarriedSampling.SAMPLED);
    }

    @Test
    void shouldReadB3SingleAndMulti() {
        assertThat(CarriedSampling.of(Map.of("b3", "0"))).isEqualTo(CarriedSampling.UNSAMPLED);
        assertThat(CarriedSampling.of(Map.of("b3", TRACE + "-" + SPAN + "-0"))).isEqualTo(CarriedSampling.UNSAMPLED);
        assertThat(CarriedSampling.of(Map.of("b3", TRACE + "-" + SPAN + "-0-" + SPAN)))
                .isEqualTo(CarriedSampling.UNSAMPLED);
        assertThat(CarriedSampling.of(Map.of("b3", TRACE + "-" + SPAN + "-1"))).isEqualTo(CarriedSampling.SAMPLED);
        assertThat(CarriedSampling.of(Map.of("b3", TRACE + "-" + SPAN + "-d"))).isEqualTo(CarriedSampling.SAMPLED);
        assertThat(CarriedSampling.of(Map.of("X-B3-TraceId", TRACE, "X-B3-Sampled", "0")))
                .isEqualTo(CarriedSampling.UNSAMPLED);
        assertThat(CarriedSampling.of(Map.of("X-B3-TraceId", TRACE, "X-B3-Sampled", "1")))
                .isEqualTo(CarriedSampling.SAMPLED);
    }

    @Test
    void shouldSeeNoContextInOtherHeaders() {
        assertThat(CarriedSampling.of(Map.of())).isEqualTo(CarriedSampling.NONE);
        assertThat(CarriedSampling.of(Map.of("app", "x"))).isEqualTo(CarriedSampling.NONE);
    }
}
