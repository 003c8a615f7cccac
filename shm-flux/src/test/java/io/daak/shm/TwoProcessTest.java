package io.daak.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Two real JVMs exchanging numbered messages through shared memory, checked in both directions. */
class TwoProcessTest {

    @Test
    void shouldExchangeAMillionMessagesEachWayBetweenTwoProcesses() throws Exception {
        Path socket = TestSockets.socket("seq");
        long count = 1_000_000;
        try (ChildJvm child = ChildJvm.start(SequencePeer.class, "server", socket.toString(), "" + count, "64")) {
            child.await("READY", Duration.ofSeconds(30));
            ShmChannel ch = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
            String mine = SequencePeer.exchange(ch, count, 64);
            assertThat(mine).isEqualTo("OK received=" + count);
            assertThat(child.await("OK", Duration.ofSeconds(60))).isEqualTo("OK received=" + count);
            ch.dispose();
            assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void shouldExchangeTwoMillionMessagesEachWayOnTheFastPathBetweenTwoProcesses() throws Exception {
        Path socket = TestSockets.socket("fast");
        long count = 2_000_000;
        try (ChildJvm child = ChildJvm.start(SequencePeer.class, "fast-server", socket.toString(), "" + count, "200")) {
            child.await("READY", Duration.ofSeconds(30));
            ShmChannel ch = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
            assertThat(SequencePeer.exchangeFast(ch, count, 200)).isEqualTo("OK received=" + count);
            assertThat(child.await("OK", Duration.ofSeconds(60))).isEqualTo("OK received=" + count);
            ch.dispose();
            assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void shouldExchangeLargeMessagesThroughThePoolBetweenTwoProcesses() throws Exception {
        Path socket = TestSockets.socket("big");
        long count = 300;
        try (ChildJvm child =
                ChildJvm.start(SequencePeer.class, "server", socket.toString(), "" + count, "" + (1 << 20))) {
            child.await("READY", Duration.ofSeconds(30));
            ShmChannel ch = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
            assertThat(SequencePeer.exchange(ch, count, 1 << 20)).isEqualTo("OK received=" + count);
            assertThat(child.await("OK", Duration.ofSeconds(60))).isEqualTo("OK received=" + count);
            ShmChannelTest.awaitBlocksInUse((ShmConnection) ch, 0, Duration.ofSeconds(10));
            ch.dispose();
            assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
        }
    }
}
