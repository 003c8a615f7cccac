package io.daak.rsocket;

import io.daak.codec.CodecRegistry;
import io.daak.core.Connector;
import io.daak.core.Daak;
import io.daak.shm.ShmUriHandler;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.rsocket.Payload;
import io.rsocket.metadata.AuthMetadataCodec;
import io.rsocket.metadata.CompositeMetadataCodec;
import io.rsocket.metadata.WellKnownMimeType;
import io.rsocket.transport.ClientTransport;
import io.rsocket.util.ByteBufPayload;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Makes remote {@link Daak} handles for {@code tcp://host[:port]} ({@code tls://} for TCP
 * with TLS; default port {@value DaakNode#DEFAULT_TCP_PORT}), {@code ws://host[:port][/path]} and
 * {@code wss://...} (default port {@value DaakNode#DEFAULT_WEBSOCKET_PORT}), and
 * {@code shm:///path/to/node.sock} (shared memory, same host); registered for
 * {@link Daak#connect(String)}. Credentials come from the URI ({@code user:password@}, {@code ?token=})
 * or {@link ConnectOptions}. Values travel as JSON unless a descriptor names another codec. Thread-safe.
 */
public final class RemoteConnector implements Connector {

    /** Used by {@link java.util.ServiceLoader}. */
    public RemoteConnector() {}

    @Override
    public Set<String> schemes() {
        return Set.of("tcp", "tls", "ws", "wss", ShmUriHandler.SCHEME);
    }

    @Override
    public Daak connect(URI uri) {
        return connect(uri, ConnectOptions.defaults());
    }

    static Daak connect(URI uri, ConnectOptions given) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals(ShmUriHandler.SCHEME)) {
            // Same host, shared memory: shm:///path/to/node.sock (see DaakNode.Builder.shmPath).
            ClientTransport shm = ShmUriHandler.buildClient(uri).orElseThrow();
            return new RemoteDaak(uri, shm, CodecRegistry.defaults(), Wire.JSON);
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("uri='" + redacted(uri) + "' has no host; use " + scheme
                    + "://host:port, e.g. " + scheme + "://localhost:" + defaultPort(scheme));
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort(scheme);
        String[] userInfo = userInfo(uri);
        List<String> query = new ArrayList<>();
        String token = null;
        boolean resume = true;
        if (uri.getRawQuery() != null) {
            for (String part : uri.getRawQuery().split("&")) {
                if (part.equals("resume=true") || part.equals("resume")) {
                    resume = true;
                } else if (part.equals("resume=false")) {
                    resume = false;
                } else if (part.startsWith("token=")) {
                    token = decode(part.substring("token=".length()));
                } else if (!part.isEmpty()) {
                    query.add(part);
                }
            }
        }
        ConnectOptions options = given.withUriCredentials(userInfo[0], userInfo[1], token);
        Path trust = options.trust() != null ? options.trust() : NodeTls.defaultTrust();
        ClientTransport transport =
                switch (scheme) {
                    case "tcp", "tls" -> NodeTls.tcpClient(host, port, scheme.equals("tls"), trust);
                    case "ws", "wss" ->
                        NodeTls.webSocketClient(host, port, path(uri, query), scheme.equals("wss"), trust);
                    default ->
                        throw new IllegalArgumentException("uri='" + redacted(uri) + "' has scheme '" + scheme
                                + "'; this connector handles tcp://, tls://, ws://, wss:// and shm://");
                };
        return new RemoteDaak(
                redacted(uri),
                transport,
                CodecRegistry.defaults(),
                Wire.JSON,
                setup(options),
                options.messageAuthentication(),
                resume);
    }

    /** The SETUP payload with the credentials, made anew for each connection attempt; null without any. */
    private static @Nullable Supplier<Payload> setup(ConnectOptions options) {
        String user = options.user();
        String password = options.password();
        String token = options.token();
        if (user == null && token == null) {
            return null;
        }
        return () -> {
            ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
            CompositeByteBuf metadata = allocator.compositeBuffer();
            CompositeMetadataCodec.encodeAndAddMetadata(
                    metadata,
                    allocator,
                    WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION,
                    token != null
                            ? AuthMetadataCodec.encodeBearerMetadata(allocator, token.toCharArray())
                            : AuthMetadataCodec.encodeSimpleMetadata(
                                    allocator,
                                    user.toCharArray(),
                                    password != null ? password.toCharArray() : new char[0]));
            return ByteBufPayload.create(Unpooled.EMPTY_BUFFER, metadata);
        };
    }

    private static String[] userInfo(URI uri) {
        String raw = uri.getRawUserInfo();
        if (raw == null || raw.isEmpty()) {
            return new String[] {null, null};
        }
        int colon = raw.indexOf(':');
        return colon < 0
                ? new String[] {decode(raw), null}
                : new String[] {decode(raw.substring(0, colon)), decode(raw.substring(colon + 1))};
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The URI without secrets, for messages and logs. */
    static URI redacted(URI uri) {
        if (uri.getRawUserInfo() == null
                && (uri.getRawQuery() == null || !uri.getRawQuery().contains("token="))) {
            return uri;
        }
        String user = uri.getRawUserInfo() == null ? null : uri.getRawUserInfo().replaceFirst(":.*", ":***");
        String query = uri.getRawQuery() == null ? null : uri.getRawQuery().replaceAll("token=[^&]*", "token=***");
        StringBuilder b = new StringBuilder().append(uri.getScheme()).append("://");
        if (user != null) {
            b.append(user).append('@');
        }
        b.append(uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1));
        if (uri.getRawPath() != null) {
            b.append(uri.getRawPath());
        }
        if (query != null) {
            b.append('?').append(query);
        }
        return URI.create(b.toString());
    }

    private static int defaultPort(String scheme) {
        return scheme.startsWith("ws") ? DaakNode.DEFAULT_WEBSOCKET_PORT : DaakNode.DEFAULT_TCP_PORT;
    }

    private static String path(URI uri, List<String> query) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return query.isEmpty() ? path : path + "?" + String.join("&", query);
    }
}
