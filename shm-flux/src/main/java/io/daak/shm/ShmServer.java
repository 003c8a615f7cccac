package io.daak.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Accepts shm connections on a Unix-domain socket: each client gets its own connection file (rings and
 * pools) and an {@link ShmChannel}. Several clients may be connected at once.
 *
 * <pre>{@code
 * try (ShmServer server = ShmServer.bind(Path.of("/tmp/app.sock"), ShmOptions.defaults(),
 *         ch -> ch.send(ch.receive().map(ByteBuf::retain)).subscribe())) {   // echo
 *     ...
 * }
 * }</pre>
 *
 * <p>On start it removes what a crashed run left: connection files of dead processes in the options'
 * directory, and a socket file nobody listens on. Thread-safe.
 */
public final class ShmServer implements Disposable, AutoCloseable {

    static final String FILE_PREFIX = "daak-shm-";
    static final String FILE_SUFFIX = ".conn";

    private static final Logger log = LoggerFactory.getLogger(ShmServer.class);

    private final Path socketPath;
    private final ShmOptions options;
    private final Consumer<? super ShmChannel> onConnection;
    private final ServerSocketChannel server;
    private final Set<ShmConnection> connections = ConcurrentHashMap.newKeySet();
    private final Sinks.Empty<Void> onClose = Sinks.empty();
    private final Sinks.Empty<Void> onStopListening = Sinks.empty();
    private volatile boolean listening = true;
    private volatile boolean disposed;

    private ShmServer(Path socketPath, ShmOptions options, Consumer<? super ShmChannel> onConnection)
            throws IOException {
        this.socketPath = socketPath;
        this.options = options;
        this.onConnection = onConnection;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketPath));
        Thread acceptor = new Thread(this::acceptLoop, "shm-accept-" + socketPath.getFileName());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Listens on {@code socketPath} and hands every new connection to {@code onConnection} (on a
     * handshake thread; do not block it).
     *
     * @param socketPath where to create the Unix-domain socket
     * @param options sizes of each connection's file and where it lives
     * @param onConnection receives each connected channel
     * @return the listening server
     * @throws IllegalStateException when another server listens on {@code socketPath}, or the JVM
     *     lacks the flag Agrona needs
     * @throws UncheckedIOException when the socket cannot be created
     */
    public static ShmServer bind(Path socketPath, ShmOptions options, Consumer<? super ShmChannel> onConnection) {
        Objects.requireNonNull(socketPath, "socketPath");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(onConnection, "onConnection");
        ShmRuntime.check();
        reclaimStaleFiles(options.directory());
        reclaimStaleSocket(socketPath);
        try {
            return new ShmServer(socketPath, options, onConnection);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on shm socket " + socketPath + ": " + e.getMessage(), e);
        }
    }

    private static void reclaimStaleFiles(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, FILE_PREFIX + "*" + FILE_SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String rest = name.substring(FILE_PREFIX.length(), name.length() - FILE_SUFFIX.length());
                String[] parts = rest.split("-");
                long owner;
                try {
                    owner = Long.parseLong(parts[0]);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (owner != Handshake.pid()
                        && !ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    Files.deleteIfExists(f);
                    log.info("removed {} left by dead process {}", f, owner);
                }
            }
        } catch (IOException e) {
            log.warn("cannot look for stale shm files in {}: {}", dir, e.toString());
        }
    }

    private static void reclaimStaleSocket(Path socketPath) {
        if (!Files.exists(socketPath)) {
            return;
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socketPath))) {
            throw new IllegalStateException(
                    "another shm server listens on " + socketPath + "; stop it or choose another socket path");
        } catch (IOException e) {
            try {
                Files.deleteIfExists(socketPath);
                log.info("removed stale shm socket {} ({})", socketPath, e.getMessage());
            } catch (IOException d) {
                throw new UncheckedIOException("cannot remove stale shm socket " + socketPath, d);
            }
        }
    }

    private void acceptLoop() {
        while (listening) {
            SocketChannel socket;
            try {
                socket = server.accept();
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                if (listening) {
                    log.warn("shm accept on {} failed", socketPath, e);
                }
                break;
            }
            Thread t = new Thread(() -> handshake(socket), "shm-handshake-" + socketPath.getFileName());
            t.setDaemon(true);
            t.start();
        }
    }

    private void handshake(SocketChannel socket) {
        ShmConnection c;
        try {
            c = Handshake.accept(socket, socketPath, options);
        } catch (IOException | RuntimeException e) {
            log.warn("shm handshake on {} failed: {}", socketPath, e.getMessage());
            return;
        }
        connections.add(c);
        c.onClose().subscribe(null, null, () -> connections.remove(c));
        if (!listening) {
            c.dispose();
            return;
        }
        try {
            onConnection.accept(c);
        } catch (RuntimeException e) {
            log.warn("shm connection handler on {} failed; closing the connection", socketPath, e);
            c.dispose();
        }
    }

    /**
     * The socket this server listens on.
     *
     * @return the socket path
     */
    public Path socketPath() {
        return socketPath;
    }

    /**
     * How many channels are open.
     *
     * @return the connection count
     */
    public int connections() {
        return connections.size();
    }

    /**
     * Completes when the server has closed.
     *
     * @return the close signal
     */
    public Mono<Void> onClose() {
        return onClose.asMono();
    }

    /**
     * Stops accepting connections and removes the socket file; open channels stay open until they close
     * (as a TCP server's listening socket closes without its connections). Idempotent.
     */
    void stopListening() {
        synchronized (this) {
            if (!listening) {
                return;
            }
            listening = false;
        }
        try {
            server.close();
        } catch (IOException e) {
            log.debug("closing {}: {}", socketPath, e.toString());
        }
        try {
            Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            log.debug("removing {}: {}", socketPath, e.toString());
        }
        onStopListening.tryEmitEmpty();
    }

    /** Completes once {@link #stopListening()} (or {@link #dispose()}) has closed the listening socket. */
    Mono<Void> onStopListening() {
        return onStopListening.asMono();
    }

    /** Whether the server still accepts connections. */
    boolean isListening() {
        return listening;
    }

    /** Stops listening, removes the socket file and closes every open channel. Idempotent. */
    @Override
    public void dispose() {
        if (disposed) {
            return;
        }
        disposed = true;
        stopListening();
        Mono<?>[] closes = connections.stream().map(ShmConnection::onClose).toArray(Mono<?>[]::new);
        connections.forEach(ShmConnection::dispose);
        Mono.when(closes).subscribe(null, null, onClose::tryEmitEmpty);
    }

    @Override
    public boolean isDisposed() {
        return disposed;
    }

    /** Same as {@link #dispose()}. */
    @Override
    public void close() {
        dispose();
    }

    @Override
    public String toString() {
        return "ShmServer[" + socketPath + ", " + connections.size() + " connections]";
    }
}
