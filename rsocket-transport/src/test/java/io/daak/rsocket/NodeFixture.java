package io.daak.rsocket;

import io.daak.core.PullContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One node per test class, on free ports and a fresh shared-memory socket, with the engine options the contract needs. */
final class NodeFixture {

    private NodeFixture() {}

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
}
