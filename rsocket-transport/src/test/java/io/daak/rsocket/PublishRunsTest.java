package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daak.core.Daak;
import io.daak.core.PublishResult;
import io.daak.core.Topic;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.util.ByteBufPayload;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

/**
 * The results of a publish channel's batches as runs (fields {@code runs}): what the node sends to a
 * client that asks for them and to one that does not, and what Daak's client makes of them.
 */
@ExtendWith(NoLeaks.class)
class PublishRunsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @org.junit.jupiter.api.extension.RegisterExtension
    static final NodeFixture.PerClass NODE = new NodeFixture.PerClass();

    @Test
    void shouldAnswerABatchWithOneRunOnlyWhenAsked() throws Exception {
        String topic = "runs/raw";
        try (Daak subscriber = Daak.connect(NODE.get().tcpUri().toString())) {
            subscriber.subscribe(Topic.of(topic, byte[].class)).subscribe(m -> {}, e -> {});
            NodeFixture.awaitSubscribed(subscriber);
            RSocket rs = Objects.requireNonNull(RSocketConnector.create()
                    .metadataMimeType(Wire.COMPOSITE)
                    .dataMimeType("application/octet-stream")
                    .connect(TcpClientTransport.create(
                            NODE.get().tcpAddress().getHostString(),
                            NODE.get().tcpAddress().getPort()))
                    .block(WAIT));
            try {
                JsonNode runs = answer(rs, topic, true);
                assertThat(runs).hasSize(1);
                JsonNode run = runs.get(0);
                assertThat(run.path("topic").asText()).isEqualTo(topic);
                assertThat(run.path("matched").asInt()).isEqualTo(1);
                assertThat(run.path("count").asInt()).isEqualTo(3);
                long first = run.path("sequence").asLong();

                JsonNode plain = answer(rs, topic, false);
                assertThat(plain).hasSize(3);
                for (int i = 0; i < 3; i++) {
                    assertThat(plain.get(i).has("count")).isFalse();
                    assertThat(plain.get(i).path("sequence").asLong()).isEqualTo(first + 3 + i);
                    assertThat(plain.get(i).path("matched").asInt()).isEqualTo(1);
                }
            } finally {
                rs.dispose();
            }
        }
    }

    /** Sends one batch of three values on a publish channel and returns the node's answer. */
    private static JsonNode answer(RSocket rs, String topic, boolean runs) throws Exception {
        WireFields f = new WireFields();
        f.batch = 3;
        f.runs = runs;
        ByteBuf data = Unpooled.buffer();
        for (int i = 0; i < 3; i++) {
            data.writeInt(0); // no metadata: the connection's data MIME type
            data.writeInt(1);
            data.writeByte(i);
        }
        Payload batch = ByteBufPayload.create(
                data, Wire.write(ByteBufAllocator.DEFAULT, Wire.Op.PUBLISH.route(topic), null, f));
        Payload answer =
                Objects.requireNonNull(rs.requestChannel(Flux.just(batch)).blockFirst(WAIT));
        try {
            return new ObjectMapper().readTree(answer.getDataUtf8().getBytes(StandardCharsets.UTF_8));
        } finally {
            answer.release();
        }
    }

    @Test
    void publishAllShouldGiveEveryValueItsOwnResultFromRuns() {
        Topic<Integer> topic = Topic.of("runs/client", Integer.class);
        int count = 2_000; // several batches, each answered with runs
        try (Daak subscriber = Daak.connect(NODE.get().tcpUri().toString());
                Daak publisher = Daak.connect(NODE.get().tcpUri().toString())) {
            // Room for every value: the results must not depend on how fast this JVM's subscriber drains.
            subscriber
                    .subscribe(
                            topic.selector(),
                            io.daak.core.SubscribeOptions.defaults().overflow(io.daak.core.Overflow.buffer(count)))
                    .subscribe(m -> {}, e -> {});
            NodeFixture.awaitSubscribed(subscriber);
            List<PublishResult> results = publisher
                    .publishAll(topic, Flux.range(0, count))
                    .collectList()
                    .block(WAIT);
            assertThat(results).hasSize(count);
            long first = results.get(0).sequence();
            for (int i = 0; i < count; i++) {
                PublishResult r = results.get(i);
                assertThat(r.topic()).isEqualTo(topic.name());
                assertThat(r.sequence()).as("sequence of value %d", i).isEqualTo(first + i);
                assertThat(r.matched()).isEqualTo(1);
                assertThat(r.dropped()).isZero();
            }
        }
    }
}
