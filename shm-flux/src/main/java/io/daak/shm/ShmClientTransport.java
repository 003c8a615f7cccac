package io.daak.shm;

import io.netty.buffer.ByteBuf;
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
    private final LoanSource loans = new LoanSource();

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
        return Handshake.connect(socketPath, options).map(c -> {
            loans.add(c);
            return new ShmDuplexConnection(c);
        });
    }

    /**
     * Loans an empty buffer of {@code size} bytes from the shared pool of this transport's
     * connection, to be filled and sent as a payload's data: {@code ByteBufPayload.create(loan,
     * metadata)}. The frame then travels as a reference to the pool, without a copy; the peer's payload
     * data is a read-only view of the same memory, and its release returns the blocks to the pool.
     *
     * <pre>{@code
     * ByteBuf data = transport.loan(16 << 20);
     * try {
     *     fill(data);
     * } catch (RuntimeException e) {
     *     data.release();                               // an unsent loan goes back to the pool
     *     throw e;
     * }
     * rsocket.fireAndForget(ByteBufPayload.create(data)).block();   // ownership passes to RSocket
     * }</pre>
     *
     * <p>The pool is the one of the connection whose I/O thread calls (RSocket runs reply callbacks
     * there), else of the connection this transport opened last. Zero-copy needs the loan itself (or
     * a slice of it) as the payload's data, reference count 1, metadata up to about 1 KiB, and no
     * RSocket fragmentation; otherwise, or when sent over another connection, the payload is copied as
     * any other. When the pool has no room, or there is no open connection, the result is an ordinary
     * direct buffer, sent by copy: a full pool is never an error.
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
}
