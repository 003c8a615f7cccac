package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.daak.core.Daak;
import io.daak.core.Key;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.NoRespondersException;
import io.daak.core.Retention;
import io.daak.core.Selector;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.daak.core.Topic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The wire contract driven by a third-party RSocket client: rsocket-js ({@code src/test/js/interop.mjs})
 * in a Node.js process, over TCP and over WebSocket, against a node where a Java client plays the other
 * side of each check: it subscribes to what the script publishes, publishes what the script subscribes
 * to (retained before the script starts, or live when the script publishes {@code interop/js/ready}),
 * puts a key the script reads, serves the service the script calls and calls the service the script
 * serves.
 *
 * <p>Needs {@code node} (18+; CI runs 20) and the script's packages: {@code npm ci --prefix rsocket-transport/src/test/js}.
 */
@ExtendWith(NoLeaks.class)
class JsInteropTest {

    private static final Path SCRIPT_DIR = Path.of("src", "test", "js").toAbsolutePath();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);
    private static final Path GUIDE =
            Path.of("..", "docs", "interop-js.md").toAbsolutePath().normalize();
    private static final String PROBE_TOPIC = "interop/js/probe";

    /** What the Java side publishes and puts, as the script expects it. */
    record Reading(String sensor, double value) {}

    @TempDir
    Path output;

    private DaakNode node;
    private Daak java;
    private final List<Disposable> subscriptions = new ArrayList<>();

    @BeforeEach
    void startNode() {
        node = DaakNode.builder()
                .host("127.0.0.1")
                .tcpPort(0)
                .webSocketPort(0)
                .engine(LocalOptions.defaults().retention("interop/java/readings", Retention.count(16)))
                .start();
    }

    @AfterEach
    void stop() {
        subscriptions.forEach(Disposable::dispose);
        if (java != null) {
            java.close();
        }
        node.close();
    }

    @Test
    void shouldPassEveryCheckOfTheJsClientOverTcp() throws Exception {
        java = Daak.connect(node.tcpUri().toString());
        interop("tcp", String.valueOf(node.tcpAddress().getPort()));
    }

    @Test
    void shouldPassEveryCheckOfTheJsClientOverWebSocket() throws Exception {
        java = Daak.connect(node.webSocketUri().toString());
        // 127.0.0.1, not localhost: Node.js may resolve localhost to ::1 first, where the node does not listen.
        interop("ws", "ws://127.0.0.1:" + node.webSocketAddress().getPort() + "/");
    }

    @Test
    void shouldRunTheSnippetOfTheJavaScriptGuide() throws Exception {
        requirePackages();
        String snippet = Files.readString(SCRIPT_DIR.resolve("hello.mjs"), StandardCharsets.UTF_8);
        String quoted = snippet.substring(snippet.indexOf("import "));
        assertThat(Files.readString(GUIDE, StandardCharsets.UTF_8))
                .as(GUIDE + " quotes src/test/js/hello.mjs from its first import on; copy it there again")
                .contains(quoted);
        java = Daak.connect(node.tcpUri().toString());
        serveUpper();

        String report =
                runNode("hello", "hello.mjs", String.valueOf(node.tcpAddress().getPort()));
        assertThat(report)
                .as(report)
                .contains("{\"topic\":\"sensors/a\",\"sequence\":2,\"matched\":1,\"dropped\":0}")
                .contains("received { celsius: 22 } { name: 'sensors/a', seq: 2")
                .contains("{\"revision\":1}", "\"eco\" null", "HELLO", "[no-responders]");
    }

    private void interop(String transport, String target) throws Exception {
        requirePackages();
        Inbox<JsonNode> fromJs = listen(Selector.of("interop/js/**", JsonNode.class), JsInteropTest::react);
        Inbox<String> textFromJs = listen(Selector.of("interop/text/js", String.class), (daak, m) -> Mono.empty());
        probe(fromJs, Topic.of(PROBE_TOPIC, JsonNode.class), TextNode.valueOf("probe"));
        probe(textFromJs, Topic.of("interop/text/js", String.class), "probe");

        Topic<Reading> readings = Topic.of("interop/java/readings", Reading.class);
        for (int i = 1; i <= 3; i++) {
            java.publish(readings, new Reading("java", i)).block(WAIT);
        }
        Topic<String> status = Topic.of("interop/java/status", String.class);
        java.publish(status, "starting").block(WAIT);
        java.publish(status, "running").block(WAIT);
        java.put(Key.of("interop/kv/java", Reading.class), new Reading("java", 42))
                .block(WAIT);
        serveUpper();

        String report = runNode(transport, "interop.mjs", transport, target);
        assertThat(report).as(report).contains("PASS " + transport).doesNotContain("FAIL");

        // What the script published, as the Java subscriber saw it, per topic in publishing order.
        Map<String, List<Message<JsonNode>>> byTopic = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            Message<JsonNode> m = fromJs.next(report);
            byTopic.computeIfAbsent(m.topic(), t -> new ArrayList<>()).add(m);
        }
        assertThat(byTopic.get("interop/js/values"))
                .as(report)
                .extracting(m -> m.value().get("value").asDouble())
                .containsExactly(1.5, 2.5, 3.5);
        assertThat(byTopic.get("interop/js/values"))
                .as(report)
                .extracting(Message::sequence)
                .containsExactly(1L, 2L, 3L);
        assertThat(byTopic.get("interop/js/fnf"))
                .as(report)
                .extracting(m -> m.value().get("value").asInt())
                .containsExactly(7);
        assertThat(byTopic.get("interop/js/channel"))
                .as(report)
                .extracting(m -> m.value().get("value").asInt())
                .containsExactly(1, 2, 3);
        assertThat(byTopic)
                .as(report)
                .containsKeys("interop/js/ready", "interop/js/served", "interop/js/unserved")
                .hasSize(6);
        Message<String> text = textFromJs.next(report);
        assertThat(text.value()).as(report).isEqualTo("plain text from js");
        assertThat(text.headers()).as(report).containsEntry("origin", "interop.mjs");
        assertThat(text.sender()).as(report).isEqualTo("js-client");

        JsonNode put = java.get(Key.of("interop/kv/js", JsonNode.class)).block(WAIT);
        assertThat(put).as(report).isNotNull();
        assertThat(put.get("color").asText()).as(report).isEqualTo("blue");
    }

    private void serveUpper() {
        subscriptions.add(java.serve(
                        Service.of("text/upper", String.class, String.class),
                        ServiceHandler.requestReply(q -> Mono.just(q.toUpperCase(Locale.ROOT))))
                .block(WAIT));
    }

    /** The Java side of the script's live checks, on the script's signals. */
    private static Mono<Void> react(Daak daak, Message<JsonNode> signal) {
        Topic<Reading> live = Topic.of("interop/java/live", Reading.class);
        Topic<String> answers = Topic.of("interop/java/answers", String.class);
        Service<String, String> echo = Service.of("js/echo", String.class, String.class);
        return switch (signal.topic()) {
            case "interop/js/ready" ->
                daak.publish(live, new Reading("live", 1))
                        .then(daak.publish(live, new Reading("live", 2)))
                        .then();
            case "interop/js/served" ->
                daak.request(echo, "from java")
                        .onErrorResume(e -> Mono.just("failed: " + e))
                        .flatMap(answer -> daak.publish(answers, answer))
                        .then(daak.requestStream(echo, "count")
                                .collectList()
                                .map(list -> String.join(",", list))
                                .onErrorResume(e -> Mono.just("failed: " + e)))
                        .flatMap(answer -> daak.publish(answers, answer))
                        .then();
            case "interop/js/unserved" ->
                daak.request(echo, "again")
                        .map(answer -> "answered: " + answer)
                        .onErrorResume(NoRespondersException.class, e -> Mono.just("no-responders"))
                        .onErrorResume(e -> Mono.just("failed: " + e))
                        .flatMap(answer -> daak.publish(answers, answer))
                        .then();
            default -> Mono.empty();
        };
    }

    // ------------------------------------------------------------------ the script

    private static void requirePackages() {
        if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules").resolve("rsocket-core"))) {
            fail("the rsocket-js packages are not installed in " + SCRIPT_DIR.resolve("node_modules")
                    + ": run `npm ci --prefix rsocket-transport/src/test/js` from the repository root"
                    + " (needs Node.js 18+ and npm)");
        }
    }

    /**
     * Runs {@code node <script> <args>} in the script folder to its end, within a hard timeout.
     *
     * @return the command, its exit and its whole output, for assertion messages
     */
    private String runNode(String name, String script, String... args) throws Exception {
        Path stdout = output.resolve(name + ".out");
        Path stderr = output.resolve(name + ".err");
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(SCRIPT_DIR.toFile())
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "cannot start `node`: " + e.getMessage() + "; install Node.js 18+ (apt-get install -y nodejs npm)",
                    e);
        }
        boolean exited = process.waitFor(SCRIPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        String report = String.join(" ", command) + " in " + SCRIPT_DIR
                + (exited ? " exited " + process.exitValue() : " was killed after " + SCRIPT_TIMEOUT)
                + "\n--- stdout\n" + Files.readString(stdout, StandardCharsets.UTF_8)
                + "--- stderr\n" + Files.readString(stderr, StandardCharsets.UTF_8);
        assertThat(exited).as(report).isTrue();
        assertThat(process.exitValue()).as(report).isZero();
        return report;
    }

    // ------------------------------------------------------------------ Java subscriptions

    /** How the Java side answers a message, e.g. by publishing; runs before the next message is taken. */
    private interface Reaction<T> {
        Mono<Void> to(Daak daak, Message<T> message);
    }

    /** The messages a Java subscription received, and the error that ended it, if any. */
    private static final class Inbox<T> {
        final BlockingQueue<Message<T>> messages = new LinkedBlockingQueue<>();
        final AtomicReference<@Nullable Throwable> error = new AtomicReference<>();

        /** The next message that is not a probe; fails after {@link #WAIT}. */
        Message<T> next(String report) throws InterruptedException {
            while (true) {
                Message<T> m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (m == null) {
                    throw new AssertionError("the Java subscriber received nothing more within " + WAIT
                            + (error.get() != null ? "; its subscription failed: " + error.get() : "") + "\n"
                            + report);
                }
                if (!m.topic().equals(PROBE_TOPIC) && !"probe".equals(String.valueOf(m.value()))) {
                    return m;
                }
            }
        }
    }

    private <T> Inbox<T> listen(Selector<T> selector, Reaction<T> reaction) {
        Inbox<T> inbox = new Inbox<>();
        subscriptions.add(java.subscribe(selector)
                .concatMap(m -> reaction.to(java, m).thenReturn(m))
                .subscribe(inbox.messages::add, inbox.error::set));
        return inbox;
    }

    /** Publishes a probe until the subscription has it: then the node has registered the subscription. */
    private <T> void probe(Inbox<T> inbox, Topic<T> topic, T probe) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            java.publish(topic, probe).block(WAIT);
            if (inbox.messages.poll(200, TimeUnit.MILLISECONDS) != null) {
                return;
            }
        }
        fail("the Java subscription to " + topic.name() + " never received its probe"
                + (inbox.error.get() != null ? ": " + inbox.error.get() : ""));
    }
}
