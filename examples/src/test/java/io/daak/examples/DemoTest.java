package io.daak.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo runs to its end and shows each pattern doing what it should. */
class DemoTest {

    @Test
    void shouldShowEveryPattern() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            Demo.run(out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .contains("sensors/*/temp  got sensors/kitchen/temp = 21.5")
                .contains("sensors/**      got sensors/cellar/deep/temp = 12.0")
                .doesNotContain("sensors/*/temp  got sensors/cellar")
                .contains("kitchen matched 2 subscriptions, cellar matched 1")
                .contains("from the earliest: [#1 line 1, #2 line 2, #3 line 3, #4 line 4, #5 line 5]")
                .contains("from sequence 4:   [#4 line 4, #5 line 5]")
                .contains("the latest:        [#5 line 5]")
                .contains("get -> auto")
                .contains("after delete, get -> (absent)")
                .contains("watch saw DELETE robots/r1/mode=null")
                .contains("flaky.jpg attempt 1: nack by worker-")
                .contains("flaky.jpg attempt 2: ack")
                .contains("dead letter: poison.jpg after 2 attempts")
                .contains("from server A")
                .contains("from server B")
                .contains("countdown stream: [3, 2, 1, 0]")
                .contains("channel: [A, B, C]")
                .contains("no responders for service 'nobody/home'")
                .contains("fast subscriber received 100 of 100 frames")
                .contains("the stalled DROP_OLDEST(4) subscriber dropped 96")
                .contains("which archived all 20, none dropped")
                .contains("done: every pattern ran");
    }
}
