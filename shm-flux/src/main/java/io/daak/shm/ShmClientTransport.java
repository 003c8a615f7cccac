package io.daak.shm;

import io.rsocket.DuplexConnection;
import io.rsocket.transport.ClientTransport;
import java.nio.file.Path;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * An RSocket client transport to an {@link ShmServerTransport} on this host.
 *
 * <pre>{@code
 * RSocket rsocket = RSocketConnector.connectWith(ShmClientTransport.create(Path.of("/tmp/app.sock"))).block();
 * }</pre>
 *
 * Thread-safe; each {@link #connect()} opens a new connection.
 */
public final class ShmClientTransport implements ClientTransport {

    private final Path socketPath;
    private final ShmOptions options;

    private ShmClientTransport(Path socketPath, ShmOptions options) {
        this.socketPath = socketPath;
        this.options = options;
    }

    /**
     * A transport to the server listening on {@code socketPath}, default options.
     *
     * @param socketPath the server's Unix-domain socket
     * @return the transport
     */
    public static ShmClientTransport create(Path socketPath) {
        return create(socketPath, ShmOptions.defaults());
    }

    /**
     * A transport to the server listening on {@code socketPath}.
     *
     * @param socketPath the server's Unix-domain socket
     * @param options handshake timeout and spin time
     * @return the transport
     */
    public static ShmClientTransport create(Path socketPath, ShmOptions options) {
        return new ShmClientTransport(
                Objects.requireNonNull(socketPath, "socketPath"), Objects.requireNonNull(options, "options"));
    }

    @Override
    public Mono<DuplexConnection> connect() {
        return Handshake.connect(socketPath, options).map(ShmDuplexConnection::new);
    }
}
