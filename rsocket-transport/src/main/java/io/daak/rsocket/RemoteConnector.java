package io.daak.rsocket;

import io.daak.codec.CodecRegistry;
import io.daak.core.Connector;
import io.daak.core.Daak;
import io.daak.shm.ShmUriHandler;
import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.client.WebsocketClientTransport;
import java.net.URI;
import java.util.Set;
import reactor.netty.http.client.HttpClient;
import reactor.netty.tcp.TcpClient;

/**
 * Makes remote {@link Daak} handles for {@code tcp://host[:port]} (default port
 * {@value DaakNode#DEFAULT_TCP_PORT}), {@code ws://host[:port][/path]} (default port
 * {@value DaakNode#DEFAULT_WEBSOCKET_PORT}) and {@code shm:///path/to/node.sock} (shared memory, same
 * host); registered for {@link Daak#connect(String)}. Values travel as
 * JSON unless a descriptor names another codec. Thread-safe.
 */
public final class RemoteConnector implements Connector {

    /** Used by {@link java.util.ServiceLoader}. */
    public RemoteConnector() {}

    @Override
    public Set<String> schemes() {
        return Set.of("tcp", "ws", ShmUriHandler.SCHEME);
    }

    @Override
    public Daak connect(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals(ShmUriHandler.SCHEME)) {
            // Same host, shared memory: shm:///path/to/node.sock (see DaakNode.Builder.shmPath).
            ClientTransport shm = ShmUriHandler.buildClient(uri).orElseThrow();
            return new RemoteDaak(uri, shm, CodecRegistry.defaults(), Wire.JSON);
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("uri='" + uri + "' has no host; use " + scheme + "://host:port, e.g. "
                    + scheme + "://localhost:" + defaultPort(scheme));
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort(scheme);
        ClientTransport transport =
                switch (scheme) {
                    // Unpooled connections: each handle owns its connection (a pool would cap how many
                    // handles one JVM can open and make the 501st wait for a free slot).
                    case "tcp" ->
                        TcpClientTransport.create(
                                TcpClient.newConnection().host(host).port(port));
                    case "ws" ->
                        WebsocketClientTransport.create(
                                HttpClient.newConnection().host(host).port(port), path(uri));
                    default ->
                        throw new IllegalArgumentException("uri='" + uri + "' has scheme '" + scheme
                                + "'; this connector handles tcp://, ws:// and shm://");
                };
        return new RemoteDaak(uri, transport, CodecRegistry.defaults(), Wire.JSON);
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("ws") ? DaakNode.DEFAULT_WEBSOCKET_PORT : DaakNode.DEFAULT_TCP_PORT;
    }

    private static String path(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }
}
