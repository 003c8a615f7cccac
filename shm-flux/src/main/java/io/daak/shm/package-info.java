/**
 * A shared-memory transport between processes on one host: a duplex of single-producer/single-consumer
 * rings in a memory-mapped file, a Unix-domain socket for the handshake, liveness and wake-ups, a raw
 * reactive channel ({@link io.daak.shm.ShmChannel}), zero-copy loans for large payloads and an RSocket
 * transport for {@code shm:///path/to/socket} URIs.
 */
@NullMarked
package io.daak.shm;

import org.jspecify.annotations.NullMarked;
