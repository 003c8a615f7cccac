package io.daak.shm;

import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.ServerTransport;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps {@code shm:///path/to/socket} URIs to shm transports, in the shape of rsocket-java's former
 * {@code io.rsocket.uri.UriHandler} (rsocket-java 1.1 no longer has a URI registry, so the Daak client
 * and node call this class directly). Thread-safe (stateless).
 */
public final class ShmUriHandler {

    /** The URI scheme. */
    public static final String SCHEME = "shm";

    private ShmUriHandler() {}

    /**
     * A client transport for an {@code shm:} URI.
     *
     * @param uri e.g. {@code shm:///tmp/daak.sock}
     * @return the transport, or empty for another scheme
     * @throws IllegalArgumentException when the URI has no absolute path
     */
    public static Optional<ClientTransport> buildClient(URI uri) {
        return socketPath(uri).map(ShmClientTransport::create);
    }

    /**
     * A server transport for an {@code shm:} URI.
     *
     * @param uri e.g. {@code shm:///tmp/daak.sock}
     * @return the transport, or empty for another scheme
     * @throws IllegalArgumentException when the URI has no absolute path
     */
    public static Optional<ServerTransport<io.rsocket.Closeable>> buildServer(URI uri) {
        return socketPath(uri).map(ShmServerTransport::create);
    }

    /**
     * The socket path of an {@code shm:} URI.
     *
     * @param uri the URI
     * @return the absolute socket path, or empty for another scheme
     * @throws IllegalArgumentException when the URI has no absolute path
     */
    public static Optional<Path> socketPath(URI uri) {
        Objects.requireNonNull(uri, "uri");
        if (uri.getScheme() == null || !SCHEME.equals(uri.getScheme().toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        String path = uri.getPath();
        if (path == null
                || !path.startsWith("/")
                || (uri.getHost() != null && !uri.getHost().isEmpty())) {
            throw new IllegalArgumentException("uri='" + uri + "' must name an absolute socket path on this host,"
                    + " e.g. shm:///tmp/daak.sock (three slashes)");
        }
        return Optional.of(Path.of(path));
    }

    /**
     * The URI of a socket path.
     *
     * @param socketPath an absolute path
     * @return {@code shm://} followed by the path
     */
    public static URI uri(Path socketPath) {
        return URI.create(SCHEME + "://" + socketPath.toAbsolutePath());
    }
}
