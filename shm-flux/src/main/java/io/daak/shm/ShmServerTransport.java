package io.daak.shm;

import io.netty.buffer.ByteBuf;
import io.rsocket.Closeable;
import io.rsocket.transport.ServerTransport;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * An RSocket server transport on a Unix-domain socket whose connections run over shared memory.
 *
 * <pre>{@code
 * Closeable server = RSocketServer.create(acceptor).bind(ShmServerTransport.create(Path.of("/tmp/app.sock"))).block();
 * ...
 * server.dispose();   // stops listening and removes the socket file; open connections stay until closed
 * }</pre>
 *
 * Thread-safe.
 */
public final class ShmServerTransport implements ServerTransport<Closeable> {

    private static final Logger log = LoggerFactory.getLogger(ShmServerTransport.class);

    private final Path socketPath;
    private final ShmOptions options;
    private final LoanSource loans = new LoanSource();

    private ShmServerTransport(Path socketPath, ShmOptions options) {
        this.socketPath = socketPath;
        this.options = options;
    }

    /**
     * A transport listening on {@code socketPath}, default options.
     *
     * @param socketPath where to create the Unix-domain socket
     * @return the transport
     */
    public static ShmServerTransport create(Path socketPath) {
        return create(socketPath, ShmOptions.defaults());
    }

    /**
     * A transport listening on {@code socketPath}.
     *
     * @param socketPath where to create the Unix-domain socket
     * @param options sizes of each connection's file and where it lives
     * @return the transport
     */
    public static ShmServerTransport create(Path socketPath, ShmOptions options) {
        return new ShmServerTransport(
                Objects.requireNonNull(socketPath, "socketPath"), Objects.requireNonNull(options, "options"));
    }

    /**
     * Loans an empty buffer of {@code size} bytes from the shared pool of one of this server's
     * connections, to be filled and sent as a payload's data ({@code ByteBufPayload.create(loan,
     * metadata)}): the frame then travels as a reference to the pool, without a copy, and the client's
     * payload data is a read-only view of the same memory.
     *
     * <pre>{@code
     * public Flux<Payload> requestStream(Payload request) {          // runs on the connection's I/O thread
     *     request.release();
     *     return Flux.range(0, 100).map(i -> {
     *         ByteBuf data = transport.loan(16 << 20);              // made on demand: the same thread
     *         return ByteBufPayload.create(fill(data, i));
     *     });
     * }
     * }</pre>
     *
     * <p>Which pool: the one of the connection whose I/O thread calls. RSocket calls responders on it
     * and requests the next payloads of a stream from it, so a responder that makes its payloads where
     * RSocket asks for them gets the right pool; on any other thread the connection opened last lends.
     * Sent over another connection than the one that lent it, the payload is copied as any other and
     * the loan returns to its own pool. Zero-copy needs the loan itself (or a slice) as the data,
     * reference count 1, metadata up to about 1 KiB, and no RSocket fragmentation. When the pool has
     * no room, or no connection is open, the result is an ordinary direct buffer, sent by copy.
     *
     * @param size the capacity, fixed
     * @return an empty buffer owned by the caller: send it or release it
     */
    public ByteBuf loan(int size) {
        return loans.loan(size);
    }

    /** The connections this transport opened or accepted that are still open; for tests. */
    java.util.List<ShmConnection> connections() {
        return loans.connections();
    }

    @Override
    public Mono<Closeable> start(ConnectionAcceptor acceptor) {
        Objects.requireNonNull(acceptor, "acceptor");
        return Mono.fromCallable(() -> {
            ShmServer server = ShmServer.bind(socketPath, options, ch -> {
                loans.add((ShmConnection) ch);
                ShmDuplexConnection connection = new ShmDuplexConnection((ShmConnection) ch);
                acceptor.apply(connection).subscribe(null, e -> {
                    log.debug("RSocket acceptor on {} failed: {}", socketPath, e.toString());
                    connection.dispose();
                });
            });
            return new Closeable() {
                // Like rsocket-java's TCP server: disposing stops listening; open connections stay
                // until RSocket (or the peer) closes them, so a server shutting down can still end
                // its streams in an orderly way.
                @Override
                public Mono<Void> onClose() {
                    return server.onStopListening();
                }

                @Override
                public void dispose() {
                    server.stopListening();
                }

                @Override
                public boolean isDisposed() {
                    return !server.isListening();
                }

                @Override
                public String toString() {
                    return server.toString();
                }
            };
        });
    }
}
