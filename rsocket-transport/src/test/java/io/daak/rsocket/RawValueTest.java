package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.RawValue;
import io.daak.core.Selector;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

/** Values carried undecoded through a remote client: what recorders and replayers use. */
@ExtendWith(NoLeaks.class)
class RawValueTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    record Reading(String sensor, double value) {}

    @Test
    void shouldReceiveRawBytesAndRepublishThemAsTheOriginalSenderWould() {
        try (DaakNode node = NodeFixture.start();
                Daak a = Daak.connect(node.tcpUri().toString());
                Daak b = Daak.connect(node.tcpUri().toString())) {
            Flux<Message<RawValue>> raw = b.subscribe(Selector.of("in/**", RawValue.class), SubscribeOptions.defaults())
                    .filter(m -> !m.topic().endsWith("probe"))
                    .take(2)
                    .cache();
            Flux<Object> out = a.subscribe(Selector.of("out/*", Object.class), SubscribeOptions.defaults())
                    .filter(m -> !m.topic().endsWith("probe"))
                    .<Object>map(Message::value)
                    .take(2)
                    .cache();
            raw.subscribe();
            out.subscribe();
            awaitSubscriber(a, "in/probe");
            awaitSubscriber(a, "out/probe");
            a.publish(Topic.of("in/s", String.class), "hello").block(WAIT);
            a.publish(Topic.of("in/r", Reading.class), new Reading("t1", 21.5)).block(WAIT);
            List<Message<RawValue>> got = raw.collectList().block(WAIT);
            assertThat(got).hasSize(2);
            RawValue s = got.get(0).value();
            assertThat(new String(s.bytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(s.mimeType()).startsWith("text/plain");
            assertThat(s.javaType()).isEqualTo("java.lang.String");
            RawValue r = got.get(1).value();
            assertThat(r.mimeType()).isEqualTo("application/json");
            assertThat(r.javaType()).isEqualTo(Reading.class.getName());

            b.publish(Topic.of("out/s", RawValue.class), s).block(WAIT);
            b.publish(Topic.of("out/r", RawValue.class), r).block(WAIT);
            assertThat(out.collectList().block(WAIT)).containsExactly("hello", new Reading("t1", 21.5));
        }
    }

    /** Subscriptions register asynchronously: publish probes until one has matched. */
    static void awaitSubscriber(Daak a, String topic) {
        Topic<String> probe = Topic.of(topic, String.class);
        Flux.interval(Duration.ofMillis(5))
                .onBackpressureDrop()
                .concatMap(i -> a.publish(probe, "p"))
                .takeUntil(p -> p.matched() >= 1)
                .blockLast(WAIT);
    }
}
