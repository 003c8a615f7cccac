package io.daak.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.LocalOptions;
import io.daak.core.Service;
import io.daak.rsocket.DaakNode;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A trace spanning two processes: client A here, server B in a child JVM, a node between them. */
class TwoProcessTraceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void shouldMakeTheChildProcessHandlerAChildOfThisProcessesRequest() throws Exception {
        SimpleTracer tracer = new SampledTracer();
        ObservationRegistry observations = ObservationRegistry.create();
        W3CPropagator propagator = new W3CPropagator(tracer);
        observations
                .observationConfig()
                .observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                        new DefaultTracingObservationHandler(tracer)));
        try (DaakNode node = DaakNode.builder()
                .host("127.0.0.1")
                .tcpPort(0)
                .noWebSocket()
                .engine(LocalOptions.defaults())
                .start()) {
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process b = new ProcessBuilder(
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            TracedServerProcess.class.getName(),
                            node.tcpUri().toString())
                    .redirectErrorStream(true)
                    .start();
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(b.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(line(out, "READY")).isEqualTo("READY");
                try (Daak a = Daak.intercepted(Daak.connect(node.tcpUri().toString()), DaakTracing.of(observations))) {
                    a.request(Service.of("echo", String.class, String.class), "hi")
                            .block(WAIT);
                }
                String handled = line(out, "HANDLED");
                SimpleSpan request = tracer.getSpans().stream()
                        .filter(s -> s.getName().equals("request echo"))
                        .findFirst()
                        .orElseThrow();
                assertThat(handled)
                        .startsWith("HANDLED trace=" + request.getTraceId() + " span=")
                        .endsWith(" parent=" + request.getSpanId());
            } finally {
                b.getOutputStream().close();
                if (!b.waitFor(10, TimeUnit.SECONDS)) {
                    b.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** The first line of the child's output that starts with {@code prefix}, within {@link #WAIT}. */
    private static String line(BufferedReader out, String prefix) throws Exception {
        List<String> seen = new java.util.ArrayList<>();
        CompletableFuture<String> found = CompletableFuture.supplyAsync(() -> {
            try {
                for (String l; (l = out.readLine()) != null; ) {
                    seen.add(l);
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
                return "the child ended: " + seen;
            } catch (java.io.IOException e) {
                return "cannot read the child: " + e;
            }
        });
        return found.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
