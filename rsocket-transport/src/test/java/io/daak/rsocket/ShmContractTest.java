package io.daak.rsocket;

import java.net.URI;

/** The whole behavioural contract through a node over shared memory ({@code shm:///path}). */
class ShmContractTest extends RemoteContract {

    @Override
    URI uri(DaakNode node) {
        return node.shmUri();
    }
}
