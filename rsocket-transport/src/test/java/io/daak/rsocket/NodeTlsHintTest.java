package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** What a failed connection's error adds as a hint, by cause. */
class NodeTlsHintTest {

    private static final String NOBODY = "; is a Daak node running there?";

    @Test
    void shouldAskWhetherANodeRunsOnlyWhenTheOtherSideCouldNotBeReached() {
        URI tcp = URI.create("tcp://localhost:1");
        assertThat(NodeTls.hint(tcp, new RuntimeException(new ConnectException("Connection refused")), NOBODY))
                .isEqualTo(NOBODY);
        assertThat(NodeTls.hint(tcp, new java.util.concurrent.TimeoutException("no answer"), NOBODY))
                .isEqualTo(NOBODY);
        // A local problem, e.g. shm:// without the JVM flag Agrona needs: its own message says it all.
        URI shm = URI.create("shm:///tmp/daak.sock");
        IllegalStateException flag = new IllegalStateException(
                "shm-flux needs the JVM option '--add-exports java.base/jdk.internal.misc=ALL-UNNAMED'");
        assertThat(NodeTls.hint(shm, new RuntimeException(flag), NOBODY)).isEmpty();
    }

    @Test
    void shouldSuggestTlsWhenAPlainConnectionWasClosedAtOnce() {
        String hint = NodeTls.hint(
                URI.create("ws://localhost:1/daak"), new java.nio.channels.ClosedChannelException(), NOBODY);
        assertThat(hint).contains("wss://");
    }
}
