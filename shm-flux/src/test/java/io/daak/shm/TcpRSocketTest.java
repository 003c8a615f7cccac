package io.daak.shm;

import io.rsocket.Closeable;
import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.ServerTransport;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;

/** The TCP baseline of the same contract: proves the contract, not the transport. */
class TcpRSocketTest extends RSocketTransportContract {

    @Override
    ServerTransport<? extends Closeable> serverTransport() {
        return TcpServerTransport.create("127.0.0.1", 0);
    }

    @Override
    ClientTransport clientTransport(Closeable server) {
        return TcpClientTransport.create(((CloseableChannel) server).address());
    }
}
