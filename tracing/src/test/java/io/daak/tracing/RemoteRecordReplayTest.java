package io.daak.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.RawValue;
import io.daak.core.Selector;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import io.daak.rsocket.DaakNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Record what flows through one node, replay it into another exactly as it was encoded. */
class RemoteRecordReplayTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private static DaakNode node() {
        return DaakNode.builder().host("127.0.0.1").tcpPort(0).webSocketPort(0).start();
    }

    @Test
    void shouldRecordFromOneNodeAndReplayIntoAnother() {
        Path file = dir.resolve("field.mcap");
        try (DaakNode field = node();
                DaakNode lab = node();
                Daak publisher = Daak.connect(field.tcpUri().toString());
                Daak recorder = Daak.connect(field.tcpUri().toString());
                Daak replayer = Daak.connect(lab.tcpUri().toString());
                Daak subscriber = Daak.connect(lab.tcpUri().toString())) {
            Flux<Message<RawValue>> traffic = recorder.subscribe(
                            Selector.of("sensors/**", RawValue.class), SubscribeOptions.defaults())
                    .filter(m -> !m.topic().endsWith("probe"))
                    .take(2);
            Mono<McapRecorder.Summary> recording =
                    McapRecorder.record(traffic, file).cache();
            recording.subscribe();
            DaakTracingTest.awaitSubscriber(publisher, "sensors/probe");
            publisher.publish(Topic.of("sensors/t", String.class), "hot").block(WAIT);
            publisher
                    .publish(Topic.of("sensors/r", McapTest.Reading.class), new McapTest.Reading("r", 1.5))
                    .block(WAIT);
            assertThat(recording.block(WAIT).messages()).isEqualTo(2);

            Flux<Object> received = subscriber
                    .subscribe(Selector.of("sensors/*", Object.class), SubscribeOptions.defaults())
                    .filter(m -> !m.topic().endsWith("probe"))
                    .<Object>map(Message::value)
                    .take(2)
                    .cache();
            received.subscribe();
            DaakTracingTest.awaitSubscriber(replayer, "sensors/probe");
            assertThat(Replay.of(file).speed(10).intoRaw(replayer).block(WAIT)).isEqualTo(2);
            assertThat(received.collectList().block(WAIT)).containsExactly("hot", new McapTest.Reading("r", 1.5));
        }
    }
}
