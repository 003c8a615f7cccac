package io.daak.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.LocalOptions;
import io.daak.core.Retention;
import io.daak.examples.cli.Cli.Result;
import io.daak.examples.cli.Cli.Running;
import io.daak.rsocket.DaakNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code daak} commands run in this JVM against a real node on free ports. Subscribers that must see
 * messages published by another command start from the retained history ({@code --start earliest}), so
 * that no test depends on which of two connections reaches the node first.
 */
class DaakCliTest {

    private static DaakNode node;
    private static String uri;

    @BeforeAll
    static void startNode() {
        node = DaakNode.builder()
                .host("127.0.0.1")
                .tcpPort(0)
                .webSocketPort(0)
                .engine(LocalOptions.defaults().retention("demo/**", Retention.count(100)))
                .start();
        uri = node.tcpUri().toString();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @Test
    void shouldPrintPublishedMessagesAndStopAfterCount() {
        Result pub = Cli.run("pub", "--uri", uri, "demo/pubsub", "a", "b", "c");
        assertThat(pub.code()).as("%s", pub).isZero();
        assertThat(pub.out())
                .contains("published demo/pubsub #1 (matched 0, dropped 0)")
                .contains("published demo/pubsub #3");

        Result sub = Cli.run("sub", "--uri", uri, "demo/**", "--start", "earliest", "--count", "3");
        assertThat(sub.code()).as("%s", sub).isZero();
        assertThat(sub.out()).isEqualTo(lines("demo/pubsub #1 a", "demo/pubsub #2 b", "demo/pubsub #3 c"));
    }

    @Test
    void shouldDeliverToALiveSubscriberWithItsRate() throws InterruptedException {
        Cli.run("pub", "--uri", uri, "demo/live", "before");
        Running sub = Cli.start("sub", "--uri", uri, "demo/live", "--start", "latest", "--count", "3");
        sub.out.await("demo/live #1 before"); // the subscription is in place: new messages reach it

        Result pub = Cli.run("pub", "--uri", uri, "demo/live", "x", "--count", "2", "--rate", "50", "-q");
        assertThat(pub.code()).as("%s", pub).isZero();
        assertThat(pub.out()).isEmpty();
        assertThat(pub.err()).contains("daak pub: 2 messages to demo/live");

        Result done = sub.awaitExit(Cli.WAIT);
        assertThat(done.code()).as("%s", done).isZero();
        assertThat(done.out()).isEqualTo(lines("demo/live #1 before", "demo/live #2 x", "demo/live #3 x"));
    }

    @Test
    void shouldPublishStandardInputFireAndForgetAndJson() {
        Result stdin = Cli.runWithInput("one\n\ntwo\n", "pub", "--uri", uri, "--stdin", "--fnf", "demo/stdin");
        assertThat(stdin.code()).as("%s", stdin).isZero();
        assertThat(stdin.err()).contains("daak pub: 2 messages to demo/stdin").contains("fire-and-forget");
        Result lines = Cli.run("sub", "--uri", uri, "demo/stdin", "--start", "earliest", "--count", "2", "--no-rate");
        assertThat(lines.out()).isEqualTo(lines("demo/stdin #1 one", "demo/stdin #2 two"));

        Result json = Cli.run("pub", "--uri", uri, "--json", "demo/json", "{\"t\": 21.5, \"unit\": \"C\"}", "\"text\"");
        assertThat(json.code()).as("%s", json).isZero();
        Result asJson = Cli.run("sub", "--uri", uri, "--json", "demo/json", "--start", "earliest", "--count", "2");
        assertThat(asJson.out()).isEqualTo(lines("demo/json #1 {\"t\":21.5,\"unit\":\"C\"}", "demo/json #2 \"text\""));
        Result asText = Cli.run("sub", "--uri", uri, "demo/json", "--start", "seq:2", "--count", "1");
        assertThat(asText.out()).isEqualTo(lines("demo/json #2 text"));

        Result notJson = Cli.run("pub", "--uri", uri, "--json", "demo/json", "{oops");
        assertThat(notJson.code()).isEqualTo(DaakCli.USAGE);
        assertThat(notJson.err()).contains("value '{oops' is not JSON");
    }

    @Test
    void shouldPutGetAndFailOnAMissingKey() {
        Result put = Cli.run("put", "--uri", uri, "robots/r1/mode", "idle");
        assertThat(put.code()).as("%s", put).isZero();
        assertThat(put.out()).matches("revision \\d+\\R");
        long first = Long.parseLong(put.out().trim().substring("revision ".length()));
        assertThat(Cli.run("put", "--uri", uri, "robots/r1/mode", "cleaning").out())
                .isEqualTo(lines("revision " + (first + 1)));

        Result get = Cli.run("get", "--uri", uri, "robots/r1/mode");
        assertThat(get.code()).as("%s", get).isZero();
        assertThat(get.out()).isEqualTo(lines("cleaning"));
        assertThat(Cli.run("get", "--uri", uri, "--revision", "robots/r1/mode").out())
                .isEqualTo(lines("@" + (first + 1) + " cleaning"));

        Result missing = Cli.run("get", "--uri", uri, "robots/r9/mode");
        assertThat(missing.code()).isEqualTo(DaakCli.FAILED);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).isEqualTo(lines("daak get: key 'robots/r9/mode' has no value"));
    }

    @Test
    void shouldSendReceiveAndAcknowledge() {
        assertThat(Cli.run("send", "--uri", uri, "jobs", "job-1").out()).isEqualTo(lines("sent to jobs"));
        assertThat(Cli.run("send", "--uri", uri, "jobs", "job-2").code()).isZero();

        Result recv = Cli.run("recv", "--uri", uri, "jobs", "--count", "2");
        assertThat(recv.code()).as("%s", recv).isZero();
        assertThat(recv.out()).isEqualTo(lines("jobs #1 job-1", "jobs #2 job-2"));

        // Acknowledged: a later receiver gets only what was sent since, nothing redelivered.
        Cli.run("send", "--uri", uri, "jobs", "job-3");
        assertThat(Cli.run("recv", "--uri", uri, "jobs", "--count", "1").out()).isEqualTo(lines("jobs #3 job-3"));
    }

    @Test
    void shouldServeAndAnswerRequests() throws InterruptedException {
        Result none = Cli.run("request", "--uri", uri, "echo", "hello");
        assertThat(none.code()).isEqualTo(DaakCli.FAILED);
        assertThat(none.err()).contains("no responders for service 'echo'");

        Running serve = Cli.start("serve", "--uri", uri, "echo", "--json", "--upper", "--count", "2");
        serve.err.await("daak serve: serving 'echo'");

        Result hello = Cli.run("request", "--uri", uri, "echo", "hello");
        assertThat(hello.code()).as("%s", hello).isZero();
        assertThat(hello.out()).isEqualTo(lines("HELLO"));
        Result json = Cli.run("request", "--uri", uri, "--json", "echo", "{\"name\":\"ada\",\"n\":1}");
        assertThat(json.out()).isEqualTo(lines("{\"name\":\"ADA\",\"n\":1}"));

        Result served = serve.awaitExit(Cli.WAIT);
        assertThat(served.code()).as("%s", served).isZero();
        assertThat(served.out()).contains("\"hello\" -> \"HELLO\"");
    }

    @Test
    void shouldSpeakTheWireContractThroughTheGenericRSocketCommand() {
        Result put = Cli.run(
                "rsocket", uri, "--route", "put/wire/k", "--data-mime", "application/json", "--data", "{\"on\":true}");
        assertThat(put.code()).as("%s", put).isZero();
        assertThat(put.out()).matches("\\{\"revision\":\\d+}\\R");
        assertThat(Cli.run("get", "--uri", uri, "--json", "wire/k").out()).isEqualTo(lines("{\"on\":true}"));
    }

    @Test
    void shouldStartANodeOnFreePortsAndStopIt() throws InterruptedException {
        Running daakNode = Cli.start(
                "node",
                "--host",
                "127.0.0.1",
                "--tcp-port",
                "0",
                "--ws-port",
                "0",
                "--retain",
                "logs/**=2",
                "--io-threads",
                "1");
        Matcher started = daakNode.out.await("^daak node: tcp://127\\.0\\.0\\.1:(\\d+) ws://127\\.0\\.0\\.1:(\\d+)/$");
        String tcp = "tcp://localhost:" + started.group(1);
        String ws = "ws://localhost:" + started.group(2) + "/";

        Cli.run("pub", "--uri", tcp, "logs/app", "l1", "l2", "l3");
        Result retained = Cli.run("sub", "--uri", ws, "logs/app", "--start", "earliest", "--count", "2");
        assertThat(retained.out()).as("%s", retained).isEqualTo(lines("logs/app #2 l2", "logs/app #3 l3"));

        Running watching = Cli.start("sub", "--uri", tcp, "logs/**", "--start", "earliest", "--no-rate");
        watching.out.await("logs/app #3 l3"); // subscribed

        Result stopped = daakNode.stop();
        assertThat(stopped.code()).as("%s", stopped).isZero();
        assertThat(stopped.out()).endsWith(lines("daak node: stopped"));

        Result ended = watching.awaitExit(Cli.WAIT);
        assertThat(ended.code()).as("%s", ended).isEqualTo(DaakCli.FAILED);
        assertThat(ended.err()).contains("daak sub: the node ended the subscription after 2 messages");

        Result gone = Cli.run("get", "--uri", tcp, "logs/app");
        assertThat(gone.code()).isEqualTo(DaakCli.FAILED);
        assertThat(gone.err()).startsWith("daak get: cannot connect to " + tcp + ": ");
    }

    @Test
    void shouldServeSharedMemoryAndTcpClientsOnTheSameTopics() throws Exception {
        Path socket = Files.createTempDirectory(Path.of("/tmp"), "cli").resolve("node.sock");
        Running daakNode =
                Cli.start("node", "--host", "127.0.0.1", "--tcp-port", "0", "--no-ws", "--shm", socket.toString());
        Matcher started = daakNode.out.await("^daak node: tcp://127\\.0\\.0\\.1:(\\d+) (shm://\\S+)$");
        String tcp = "tcp://localhost:" + started.group(1);
        String shm = started.group(2);
        assertThat(shm).isEqualTo("shm://" + socket);

        Running overShm = Cli.start("sub", "--uri", shm, "mixed/**", "--no-rate");
        Running overTcp = Cli.start("sub", "--uri", tcp, "mixed/**", "--no-rate");
        // Publish until both subscriptions are in place (each publish says how many it matched).
        long deadline = System.nanoTime() + Cli.WAIT.toNanos();
        Result first;
        do {
            assertThat(System.nanoTime()).as("both subscriptions in place").isLessThan(deadline);
            first = Cli.run("pub", "--uri", shm, "mixed/warmup", "w");
            assertThat(first.code()).as("%s", first).isZero();
        } while (!first.out().contains("matched 2"));
        Result fromShm = Cli.run("pub", "--uri", shm, "mixed/a", "from shm");
        Result fromTcp = Cli.run("pub", "--uri", tcp, "mixed/a", "from tcp");
        assertThat(fromShm.out()).as("%s", fromShm).contains("matched 2");
        assertThat(fromTcp.out()).as("%s", fromTcp).contains("matched 2");
        for (Running sub : List.of(overShm, overTcp)) {
            sub.out.await("^mixed/a #\\d+ from shm$");
            sub.out.await("^mixed/a #\\d+ from tcp$");
        }

        Result stopped = daakNode.stop();
        assertThat(stopped.code()).as("%s", stopped).isZero();
        for (Running sub : List.of(overShm, overTcp)) {
            // Over shm as over TCP: the node ends its streams in order when it stops.
            Result ended = sub.awaitExit(Cli.WAIT);
            assertThat(ended.code()).as("%s", ended).isEqualTo(DaakCli.FAILED);
            assertThat(ended.err()).as("%s", ended).contains("daak sub: the node ended the subscription after");
        }
        assertThat(socket).as("the node removes its socket").doesNotExist();
    }

    @Test
    void shouldPrintUsageWithoutArguments() {
        Result usage = Cli.run();
        assertThat(usage.code()).isZero();
        assertThat(usage.out())
                .contains("Usage: daak")
                .contains("node")
                .contains("pub")
                .contains("rsocket")
                .contains("demo");
    }

    @Test
    void shouldRejectUnknownCommandsFlagsAndBadUris() {
        Result command = Cli.run("publish", "a", "b");
        assertThat(command.code()).isEqualTo(DaakCli.USAGE);
        assertThat(command.err()).contains("Unmatched arguments").contains("publish");

        Result flag = Cli.run("get", "--uri", uri, "--colour", "k");
        assertThat(flag.code()).isEqualTo(DaakCli.USAGE);
        assertThat(flag.err()).contains("Unknown option: '--colour'").contains("Usage: daak get");

        Result scheme = Cli.run("get", "--uri", "localhost:7878", "k");
        assertThat(scheme.code()).isEqualTo(DaakCli.USAGE);
        assertThat(scheme.err()).startsWith("daak get: uri='localhost:7878'");

        Result malformed = Cli.run("put", "--uri", "tcp://local host", "k", "v");
        assertThat(malformed.code()).isEqualTo(DaakCli.USAGE);
        assertThat(malformed.err()).contains("is not a valid URI");

        Result start = Cli.run("sub", "--uri", uri, "a/*", "--start", "yesterday");
        assertThat(start.code()).isEqualTo(DaakCli.USAGE);
        assertThat(start.err()).contains("start 'yesterday' is not one of");

        Result overflow = Cli.run("sub", "--uri", uri, "a/*", "--overflow", "drop-newest");
        assertThat(overflow.code()).isEqualTo(DaakCli.USAGE);
        assertThat(overflow.err()).contains("overflow 'drop-newest' is not one of");

        Result count = Cli.run("recv", "--uri", uri, "jobs", "--count", "0");
        assertThat(count.code()).isEqualTo(DaakCli.USAGE);
        assertThat(count.err()).contains("'0' must be at least 1");

        Result threads = Cli.run("node", "--tcp-port", "0", "--no-ws", "--io-threads", "0");
        assertThat(threads.code()).isEqualTo(DaakCli.USAGE);
        assertThat(threads.err()).contains("--io-threads ioThreads=0 must be at least 1");
    }

    private static String lines(String... lines) {
        StringBuilder b = new StringBuilder();
        for (String line : lines) {
            b.append(line).append(System.lineSeparator());
        }
        return b.toString();
    }
}
