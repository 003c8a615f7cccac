package io.daak.shm;

import io.rsocket.Closeable;
import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.ServerTransport;
import java.nio.file.Path;

/** Plain rsocket-java over shm. */
class ShmRSocketTest extends RSocketTransportContract {

    final Path socket = TestSockets.socket("rs");

    @Override
    ServerTransport<? extends Closeable> serverTransport() {
        return ShmServerTransport.create(socket);
    }

    @Override
    ClientTransport clientTransport(Closeable server) {
        return ShmClientTransport.create(socket);
    }
}
