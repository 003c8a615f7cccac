package io.daak.rsocket;

import io.daak.core.PullContract;

/** One node per test class, on free ports, with the engine options the contract needs. */
final class NodeFixture {

    private NodeFixture() {}

    static DaakNode start() {
        return DaakNode.builder()
                .host("127.0.0.1")
                .tcpPort(0)
                .webSocketPort(0)
                .engine(PullContract.contractOptions())
                .start();
    }
}
