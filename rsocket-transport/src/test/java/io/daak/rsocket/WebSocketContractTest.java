package io.daak.rsocket;

import java.net.URI;

/** The whole behavioural contract through a node over WebSocket. */
class WebSocketContractTest extends RemoteContract {

    @Override
    URI uri(DaakNode node) {
        return node.webSocketUri();
    }
}
