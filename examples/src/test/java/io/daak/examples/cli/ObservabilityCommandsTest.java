package io.daak.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.Selector;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import io.daak.examples.cli.Cli.Result;
import io.daak.examples.cli.Cli.Running;
import io.daak.rsocket.DaakNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

/** {@code daak tap}, {@code daak record}, {@code daak replay} and {@code daak node --metrics-port}. */
class ObservabilityCommandsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static DaakNode node;
    private static String uri;
    private static Daak daak;

    @TempDir
    Path dir;

    @BeforeAll
    static void startNode() {
        node = DaakNode.builder().host("127.0.0.1").tcpPort(0).webSocketPort(0).start();
        uri = node.tcpUri().toString();
        daak = Daak.connect(uri);
    }

    @AfterAll
    static void stopNode() {
        daak.close();
        node.close();
    }

    /** Publishes probes until one reaches a subscriber: from then on it sees what is published. */
    private static void awaitSubscriber(String topic) {
        Topic<String> probe = Topic.of(topic, String.class);
        Flux.interval(Duration.ofMillis(10))
                .onBackpressureDrop()
                .concatMap(i -> daak.publish(probe, "probe"))
                .takeUntil(p -> p.matched() >= 1)
                .blockLast(WAIT);
    }

    @Test
    void shouldTapLiveTrafficOfAnyFormat() {
        Running tap = Cli.start("tap", "--uri", uri, "tap/**", "--count", "3", "--no-rate");
        awaitSubscriber("tap/probe");
        daak.publish(Topic.of("tap/a", String.class), "hello").block(WAIT);
        daak.publish(Topic.of("tap/b", byte[].class), new byte[] {1, 2}).block(WAIT);
        Result done = tap.awaitExit(Cli.WAIT);
        assertThat(done.code()).as("%s", done).isZero();
        assertThat(done.out())
                .containsPattern("tap/probe #\\d+ \\[text/plain; charset=utf-8] probe")
                .contains("tap/a #1 [text/plain; charset=utf-8] hello")
                .contains("tap/b #1 [application/octet-stream] <2 bytes application/octet-stream: 01 02>");
    }

    @Test
    void shouldRecordAndReplayIntoTheNode() {
        Path file = dir.resolve("rec.mcap");
        Running record = Cli.start("record", "--uri", uri, "rec/**", "-o", file.toString(), "--count", "3");
        awaitSubscriber("rec/probe");
        daak.publish(Topic.of("rec/data/t", String.class), "one").block(WAIT);
        daak.publish(Topic.of("rec/data/t", String.class), "two").block(WAIT);
        Result recorded = record.awaitExit(Cli.WAIT);
        assertThat(recorded.code()).as("%s", recorded).isZero();
        assertThat(recorded.err()).contains("daak record: 3 messages").contains("2 channels) in " + file);

        Flux<String> again = daak.subscribe(Selector.of("rec/data/**", String.class), SubscribeOptions.defaults())
                .filter(m -> !m.topic().endsWith("probe"))
                .map(Message::value)
                .take(2)
                .cache();
        again.subscribe();
        awaitSubscriber("rec/data/probe");
        Result replayed = Cli.run("replay", "--uri", uri, file.toString(), "--topics", "rec/data/**", "--speed", "5");
        assertThat(replayed.code()).as("%s", replayed).isZero();
        assertThat(replayed.err()).contains("daak replay: 2 messages from " + file + " into " + uri);
        assertThat(again.collectList().block(WAIT)).containsExactly("one", "two");
    }

    @Test
    void shouldFinishTheFileWhenRecordingIsStoppedWithCtrlC() {
        Path file = dir.resolve("stopped.mcap");
        Running record = Cli.start("record", "--uri", uri, "stop/**", "-o", file.toString());
        awaitSubscriber("stop/probe");
        daak.publish(Topic.of("stop/data", String.class), "kept").block(WAIT);
        Result stopped = record.stop();
        assertThat(stopped.code()).as("%s", stopped).isEqualTo(Await.INTERRUPTED);
        assertThat(stopped.err()).contains("daak record: ").contains(" in " + file);
        Result replayed = Cli.run("replay", "--uri", uri, file.toString(), "--fast", "--topics", "stop/none");
        assertThat(replayed.code())
                .as("a finished, readable file: %s", replayed)
                .isZero();
        assertThat(replayed.err()).contains("daak replay: 0 messages from " + file);
    }

    @Test
    void shouldFailClearlyOnADamagedRecording() throws Exception {
        Path file = dir.resolve("bad.mcap");
        java.nio.file.Files.writeString(file, "not a recording");
        Result bad = Cli.run("replay", "--uri", uri, file.toString(), "--fast");
        assertThat(bad.code()).as("%s", bad).isEqualTo(DaakCli.FAILED);
        assertThat(bad.err()).contains(file + " is not an MCAP file: no MCAP magic at offset 0");
    }

    @Test
    void shouldServeTheNodesMetrics() throws InterruptedException {
        Running metricsNode =
                Cli.start("node", "--host", "127.0.0.1", "--tcp-port", "0", "--ws-port", "0", "--metrics-port", "0");
        Matcher started = metricsNode.out.await("^daak node: tcp://127\\.0\\.0\\.1:(\\d+) ws://\\S+ metrics (\\S+)$");
        try (Daak client = Daak.connect("tcp://localhost:" + started.group(1))) {
            client.publish(Topic.of("m/x", String.class), "v").block(WAIT);
            String text = HttpClient.create()
                    .get()
                    .uri(started.group(2))
                    .responseContent()
                    .aggregate()
                    .asString()
                    .block(WAIT);
            assertThat(text)
                    .contains("daak_messages_published_total{topic=\"m\"} 1.0")
                    .contains("daak_connections 1.0");
        } finally {
            metricsNode.stop();
        }
    }
}
