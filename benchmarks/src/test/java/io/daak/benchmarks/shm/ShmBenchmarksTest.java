package io.daak.benchmarks.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A tiny run of every shared-memory benchmark with real second processes, so that the harness keeps working. */
class ShmBenchmarksTest {

    private static final ShmBenchmarks.Settings TINY = new ShmBenchmarks.Settings(
            Duration.ofMillis(100),
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            1 << 20,
            List.of(64, 1 << 20, RSocketShmVsTcp.LARGEST),
            List.of(1024),
            List.of(1024, 16 << 20));

    @Test
    void shouldRunEveryBenchmarkOnceAndReport() throws Exception {
        ShmBenchmarks.Report report = ShmBenchmarks.run(TINY, List.of("rsocket", "channel"), line -> {});

        assertThat(report.rates)
                .extracting(Measures.Rate::system)
                .containsExactly(
                        "RSocket over shm",
                        "RSocket over TCP",
                        "RSocket over shm",
                        "RSocket over TCP",
                        "RSocket over shm", // 16 MiB: loans on the shm side
                        "RSocket over TCP",
                        ChannelVsAeron.SHM,
                        ChannelVsAeron.FAST,
                        ChannelVsAeron.AERON);
        assertThat(report.rates).allSatisfy(r -> assertThat(r.messages()).isPositive());
        assertThat(report.roundTrips)
                .hasSize(11)
                .allSatisfy(r -> assertThat(r.histogram().getTotalCount()).isPositive());
        assertThat(ShmBenchmarks.format(report))
                .contains(
                        "RSocket over shm vs RSocket over TCP",
                        "16 MiB",
                        "1 MiB",
                        "Aeron",
                        "Zero-copy loans",
                        "ShmChannel fast path");
    }

    @Test
    void shouldFailLoudlyWhenThePeerMissesAMessage() {
        assertThatThrownBy(() -> Script.checkAnswer("X", -1 - 41, 100))
                .hasMessageContaining("wrong message at sequence 41")
                .hasMessageContaining("lost or reordered");
        assertThatThrownBy(() -> Script.checkAnswer("X", 99, 100)).hasMessageContaining("received 99 messages of 100");
    }

    @Test
    void shouldNoticeAGapOrAWrongSize() {
        Script script = new Script();
        script.onMessage(Script.COUNT, 8, 3, Script.COMMAND_LENGTH);
        script.onMessage(0, 0, 0, 8);
        script.onMessage(2, 0, 0, 8);
        assertThat(script.onMessage(3, 0, 0, 8)).isEqualTo(Script.Action.ANSWER);
        assertThat(script.answer()).isEqualTo(-1 - 1);

        script.onMessage(Script.COUNT, 8, 2, Script.COMMAND_LENGTH);
        script.onMessage(0, 0, 0, 8);
        script.onMessage(1, 0, 0, 7);
        assertThat(script.answer()).isEqualTo(-1 - 1);
    }
}
