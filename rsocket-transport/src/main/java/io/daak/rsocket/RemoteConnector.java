package io.daak.rsocket;

import io.daak.codec.CodecRegistry;
import io.daak.core.Connector;
import io.daak.core.Daak;
import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.client.WebsocketClientTransport;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/**
 * Makes remote {@link Daak} handles for {@code tcp://host[:port]} (default port
 * {@value DaakNode#DEFAULT_TCP_PORT}) and {@code ws://host[:port][/path]} (default port
 * {@value DaakNode#DEFAULT_WEBSOCKET_PORT}); registered for {@link Daak#connect(String)}. Values travel as
 * JSON unless a descriptor names another codec. Thread-safe.
 */
public final class RemoteConnector implements Connector {

    /** Used by {@link java.util.ServiceLoader}. */
    public RemoteConnector() {}

    @Override
    public Set<String> schemes() {
        return Set.of("tcp", "ws");
    }

    @Override
    public Daak connect(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("uri='" + uri + "' has no host; use " + scheme + "://host:port, e.g. "
                    + scheme + "://localhost:" + defaultPort(scheme));
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort(scheme);
        ClientTransport transport =
                switch (scheme) {
                    case "tcp" -> TcpClientTransport.create(host, port);
                    case "ws" -> WebsocketClientTransport.create(withPort(uri, port));
                    default ->
                        throw new IllegalArgumentException("uri='" + uri + "' has scheme '" + scheme
                                + "'; this connector handles tcp:// and ws://");
                };
        return new RemoteDaak(uri, transport, CodecRegistry.defaults(), Wire.JSON);
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("ws") ? DaakNode.DEFAULT_WEBSOCKET_PORT : DaakNode.DEFAULT_TCP_PORT;
    }

    private static URI withPort(URI uri, int port) {
        try {
            String path = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
            return new URI(uri.getScheme(), null, uri.getHost(), port, path, uri.getQuery(), null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("uri='" + uri + "' is malformed: " + e.getMessage(), e);
        }
    }
}
