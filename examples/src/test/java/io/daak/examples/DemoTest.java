package io.daak.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo runs to its end by itself and shows each pattern doing what it should. Every line asserted
 * here follows from the semantics of the engine, not from timing: the demo waits for each outcome
 * (bounded) before it prints it.
 */
class DemoTest {

    private static String output;

    @BeforeAll
    static void runTheDemo() {
        output = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
                Demo.run(out);
            }
            return bytes.toString(StandardCharsets.UTF_8);
        });
    }

    @Test
    void shouldPushToOneLevelAndAnyLevelWildcards() {
        assertThat(output)
                .contains("home/*/temp got home/kitchen/temp = 21.5 from thermostat")
                .contains("home/*/temp got home/garage/temp = 12.0")
                .doesNotContain("home/*/temp got home/kitchen/humidity")
                .contains("home/** got home/kitchen/temp = 21.5")
                .contains("home/** got home/garage/temp = 12.0")
                .contains("home/** got home/kitchen/humidity = 48.0")
                .contains("published home/kitchen/temp #1 to 2 subscriptions");
    }

    @Test
    void shouldPullFromEachStartPosition() {
        assertThat(output)
                .contains("Start.earliest()    -> #3 o-3, #4 o-4, #5 o-5 ")
                .contains("Start.atSequence(4) -> #4 o-4, #5 o-5\n")
                .contains("Start.latest()      -> #5 o-5, #6 o-6 ");
    }

    @Test
    void shouldShowRevisionsAndTheWatchedChanges() {
        assertThat(output)
                .contains("put idle -> revision 1, put cleaning -> revision 2")
                .contains("get -> cleaning (revision 2)")
                .contains("delete -> true, then get -> (no value)")
                .contains("watch: PUT robots/r1/mode = idle @1")
                .contains("watch: PUT robots/r1/mode = cleaning @2")
                .contains("watch: DELETE robots/r1/mode = null @3");
    }

    @Test
    void shouldShareTheQueueRedeliverANackAndDeadLetterThePoison() {
        assertThat(output)
                .contains("receiver-A got ")
                .contains("receiver-B got ")
                .contains(" got job-1 (attempt 1) -> ack")
                .contains(" got job-2 (attempt 1) -> ack")
                .contains(" got job-3 (attempt 1) -> ack")
                .contains(" got flaky (attempt 1) -> nack")
                .contains(" got flaky (attempt 2) -> ack")
                .contains(" got poison (attempt 3) -> nack")
                .doesNotContain("poison (attempt 4)")
                .contains("dead letter on $dlq/jobs: poison after 3 attempts (nacked by the receiver)");
    }

    @Test
    void shouldFailAtOnceWithoutServersThenShareTheLoadBetweenTwo() {
        assertThat(output)
                .contains("before serve: no responders for service 'greeter'")
                .containsPattern("request {7}-> server-1: hello client-\\d")
                .containsPattern("request {7}-> server-2: hello client-\\d")
                .containsPattern("requestStream -> server-\\d: tick 1")
                .containsPattern("requestStream -> server-\\d: tick 3")
                .containsPattern("channel {7}-> server-\\d: A")
                .containsPattern("channel {7}-> server-\\d: C");
    }

    @Test
    void shouldCountTheSlowSubscribersDropsWhileTheFastOneGetsEverything() {
        assertThat(output)
                .contains("published 10, PublishResult.dropped() adds up to 5")
                .contains("fast subscriber got 10 messages")
                .contains("slow subscriber got [1, 7, 8, 9, 10]");
    }

    @Test
    void shouldPaceTheBlockedPublisherByTheSubscribersDemand() {
        assertThat(output)
                .contains("subscriber requested 0, buffer holds 2 -> publisher waits after #2")
                .contains("subscriber requested 3 -> publisher waits after #5")
                .contains("publisher finished at #10; subscriber got 10 messages, 0 dropped");
    }

    @Test
    void shouldRunTheInterceptorAroundEveryOperation() {
        assertThat(output)
                .contains("audit: SUBSCRIBE home/lights")
                .contains("audit: PUBLISH home/lights")
                .contains("subscriber got on with headers {audited-by=demo}")
                .contains("publish to admin/shutdown -> not allowed to publish to 'admin/shutdown'")
                .endsWith("done: every pattern ran" + System.lineSeparator());
    }

    @Test
    void shouldExitWithZeroByItselfWhenRunAsAProgram(@TempDir Path dir) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        File log = dir.resolve("demo.out").toFile();
        Process demo = new ProcessBuilder(
                        List.of(java, "-cp", System.getProperty("java.class.path"), Demo.class.getName()))
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
        boolean ended = demo.waitFor(30, TimeUnit.SECONDS);
        if (!ended) {
            demo.destroyForcibly();
        }
        assertThat(ended).as("the demo ended by itself").isTrue();
        assertThat(demo.exitValue())
                .as("exit code; output:%n%s", Files.readString(log.toPath()))
                .isZero();
        assertThat(Files.readString(log.toPath())).contains("done: every pattern ran");
    }
}
