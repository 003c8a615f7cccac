package io.daak.shm;

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

    @Override
    public Mono<Closeable> start(ConnectionAcceptor acceptor) {
        Objects.requireNonNull(acceptor, "acceptor");
        return Mono.fromCallable(() -> {
            ShmServer server = ShmServer.bind(socketPath, options, ch -> {
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
