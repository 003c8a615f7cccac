package io.daak.shm;

import io.rsocket.Closeable;
import io.rsocket.transport.ServerTransport;

/**
 * Plain rsocket-java over shm with a 64 KiB ring (about 290 frames of 200 bytes), so that a burst of
 * frames fills the ring and waits for room.
 */
class ShmRSocketSmallRingTest extends ShmRSocketTest {

    @Override
    ServerTransport<? extends Closeable> serverTransport() {
        return ShmServerTransport.create(socket, ShmOptions.defaults().withRingCapacity(64 * 1024));
    }
}
