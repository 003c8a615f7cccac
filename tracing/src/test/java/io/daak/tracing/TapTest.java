package io.daak.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.Publication;
import io.daak.core.RawValue;
import io.daak.core.Selector;
import io.daak.core.Topic;
import io.daak.rsocket.DaakNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class TapTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void shouldSeeLiveTrafficOfARemoteNodeUndecoded() {
        try (DaakNode node = DaakNode.builder()
                        .host("127.0.0.1")
                        .tcpPort(0)
                        .webSocketPort(0)
                        .start();
                Daak a = Daak.connect(node.tcpUri().toString());
                Daak b = Daak.connect(node.tcpUri().toString())) {
            Tap<RawValue> tap = Tap.on(b, Selector.of("sensors/**", RawValue.class));
            Flux<Message<RawValue>> seen = tap.messages()
                    .filter(m -> !m.topic().endsWith("probe"))
                    .take(2)
                    .cache();
            seen.subscribe();
            DaakTracingTest.awaitSubscriber(a, "sensors/probe");
            a.publish(Topic.of("sensors/a", String.class), "one").block(WAIT);
            a.publish(Topic.of("sensors/b", byte[].class), new byte[] {1, 2}).block(WAIT);
            StepVerifier.create(seen.map(m -> m.topic() + ":" + m.value().mimeType() + ":"
                            + m.value().bytes().length))
                    .expectNext("sensors/a:text/plain; charset=utf-8:3", "sensors/b:application/octet-stream:2")
                    .verifyComplete();
            assertThat(tap.stats()).containsEntry("sensors/a", new Tap.TopicStats(1, 0));
            assertThat(new String(seen.blockFirst(WAIT).value().bytes(), StandardCharsets.UTF_8))
                    .isEqualTo("one");
        }
    }

    @Test
    void shouldDropAndCountWhenItsReaderFallsBehindWithoutHoldingOthersBack() {
        try (Daak daak = Daak.local()) {
            Topic<String> topic = Topic.of("t/x", String.class);
            Tap<Object> tap = Tap.on(daak, Selector.of("t/**", Object.class)).capacity(4);
            Flux<Message<String>> other = daak.subscribe(topic).take(100).cache();
            other.subscribe();
            Publication<String> p = daak.publication(topic);
            StepVerifier.create(tap.messages().map(Message::value), 0)
                    .thenRequest(1)
                    .then(() -> p.tryPublish("m0"))
                    .expectNext("m0")
                    // The tap asks for nothing more: the publisher is never held back, the tap drops the oldest.
                    .then(() -> {
                        for (int i = 1; i < 100; i++) {
                            assertThat(p.tryPublish("m" + i)).isTrue();
                        }
                    })
                    .thenRequest(4)
                    .expectNext("m96", "m97", "m98", "m99")
                    .thenCancel()
                    .verify(WAIT);
            assertThat(other.count().block(WAIT)).isEqualTo(100);
            assertThat(tap.stats()).containsEntry("t/x", new Tap.TopicStats(5, 95));
            assertThat(tap.dropped()).isEqualTo(95);
        }
    }
}
