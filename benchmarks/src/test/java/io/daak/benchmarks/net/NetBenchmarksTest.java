package io.daak.benchmarks.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A tiny run of every network benchmark, so that the harness keeps working; NATS only where installed. */
class NetBenchmarksTest {

    private static final NetBenchmarks.Settings TINY = new NetBenchmarks.Settings(
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            1_000,
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(100),
            20,
            10);

    @Test
    void shouldRunEveryBenchmarkOnceAndReport() throws Exception {
        boolean nats = NatsServer.missing() == null;

        NetBenchmarks.Report report = NetBenchmarks.run(TINY, List.of("pubsub", "reqrep", "memory"), nats);

        assertThat(report.pubsub).hasSize(nats ? 6 : 4).allSatisfy(r -> assertThat(r.messages())
                .isPositive());
        assertThat(report.requests)
                .hasSize(nats ? 6 : 5)
                .allSatisfy(r -> assertThat(r.histogram().getTotalCount()).isPositive());
        NodeMemory.Result memory = report.memory;
        assertThat(memory).isNotNull();
        assertThat(memory.subscribed().connections()).isEqualTo(21);
        assertThat(NetBenchmarks.format(report, TINY))
                .contains("Daak tryPublish", "bare RSocket", "no resumption", "heap per connection");
    }
}
