package io.daak.rsocket;

import io.daak.core.PullContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One node per test class, on free ports and a fresh shared-memory socket, with the engine options the contract needs. */
final class NodeFixture {

    private NodeFixture() {}

    /**
     * A node for a test class, started before its tests and closed after them:
     * {@code @RegisterExtension static final NodeFixture.PerClass NODE = new NodeFixture.PerClass();}.
     */
    static final class PerClass
            implements org.junit.jupiter.api.extension.BeforeAllCallback,
                    org.junit.jupiter.api.extension.AfterAllCallback {
        private @org.jspecify.annotations.Nullable DaakNode node;

        @Override
        public void beforeAll(org.junit.jupiter.api.extension.ExtensionContext context) {
            node = start();
        }

        @Override
        public void afterAll(org.junit.jupiter.api.extension.ExtensionContext context) {
            if (node != null) {
                node.close();
            }
        }

        /** The running node. */
        DaakNode get() {
            return java.util.Objects.requireNonNull(node, "the node starts before the class's tests");
        }
    }

    static DaakNode start() {
        return DaakNode.builder()
                .host("127.0.0.1")
                .tcpPort(0)
                .webSocketPort(0)
                .shmPath(shmSocket())
                .engine(PullContract.contractOptions())
                .start();
    }

    /** A fresh socket path for a node's shared-memory endpoint (short enough for a Unix socket). */
    static Path shmSocket() {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "daak");
            dir.toFile().deleteOnExit();
            return dir.resolve("node.sock");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Returns once the subscriptions {@code daak} made before are in place at the node: a probe
     * published through the same handle comes back, and a handle's calls reach the node in order.
     */
    static void awaitSubscribed(io.daak.core.Daak daak) {
        io.daak.core.Topic<Integer> probe = io.daak.core.Topic.of("fixture/probe-" + System.nanoTime(), Integer.class);
        reactor.test.StepVerifier.create(daak.subscribe(probe).take(1), 1)
                .then(() -> daak.publish(probe, 1).block(java.time.Duration.ofSeconds(10)))
                .expectNextCount(1)
                .expectComplete()
                .verify(java.time.Duration.ofSeconds(10));
    }
}
