package io.daak.rsocket;

import java.net.URI;

/** The whole behavioural contract through a node over TCP. */
class TcpContractTest extends RemoteContract {

    @Override
    URI uri(DaakNode node) {
        return node.tcpUri();
    }
}
