package io.daak.tracing;

import io.daak.core.Daak;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleTracer;
import java.io.IOException;
import reactor.core.publisher.Mono;

/**
 * Server B of {@link TwoProcessTraceTest}, in a JVM of its own: serves {@code echo} through a node with
 * tracing on, prints {@code READY}, then one line {@code HANDLED trace=.. span=.. parent=..} per request
 * (the span its handler runs in), until its standard input closes.
 */
public final class TracedServerProcess {

    private TracedServerProcess() {}

    /**
     * Runs server B.
     *
     * @param args the node's URI
     * @throws IOException when standard input fails
     */
    public static void main(String[] args) throws IOException {
        SimpleTracer tracer = new SampledTracer();
        W3CPropagator propagator = new W3CPropagator(tracer);
        ObservationRegistry observations = ObservationRegistry.create();
        observations
                .observationConfig()
                .observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                        new DefaultTracingObservationHandler(tracer)));
        try (Daak b = Daak.intercepted(Daak.connect(args[0]), DaakTracing.of(observations))) {
            Service<String, String> echo = Service.of("echo", String.class, String.class);
            b.serve(echo, ServiceHandler.<String, String>requestReply(q -> {
                        TraceContext c = tracer.currentSpan().context();
                        System.out.println(
                                "HANDLED trace=" + c.traceId() + " span=" + c.spanId() + " parent=" + c.parentId());
                        System.out.flush();
                        return Mono.just(q);
                    }))
                    .block();
            System.out.println("READY");
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the parent closes our standard input
            }
        }
    }
}
