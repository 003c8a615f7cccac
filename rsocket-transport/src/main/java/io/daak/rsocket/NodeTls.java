package io.daak.rsocket;

import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.ServerTransport;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.client.WebsocketClientTransport;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.transport.netty.server.WebsocketServerTransport;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;
import reactor.netty.tcp.TcpSslContextSpec;

/**
 * The node's and the client's transports, with TLS when asked: server certificate and key from PEM
 * files; client trust from PEM certificates, or the JVM's default trust store. Clients verify the
 * node's host name against its certificate. Stateless and thread-safe.
 */
final class NodeTls {

    private NodeTls() {}

    /** The node's certificate chain and private key, checked readable. */
    record Files(Path certificateChain, Path privateKey) {}

    static Files files(Path certificateChain, Path privateKey) {
        checkReadable("certificateChain", certificateChain);
        checkReadable("privateKey", privateKey);
        return new Files(certificateChain, privateKey);
    }

    private static void checkReadable(String what, Path p) {
        if (p == null || !java.nio.file.Files.isReadable(p)) {
            throw new IllegalArgumentException(what + "=" + p + " is not a readable PEM file");
        }
    }

    static ServerTransport<CloseableChannel> tcp(
            String host,
            int port,
            @Nullable Files tls,
            int maxFrameLength,
            reactor.netty.resources.LoopResources loops) {
        TcpServer server = TcpServer.create().host(host).port(port).runOn(loops);
        if (tls != null) {
            server = server.secure(spec -> spec.sslContext(TcpSslContextSpec.forServer(
                    tls.certificateChain().toFile(), tls.privateKey().toFile())));
        }
        return TcpServerTransport.create(server, maxFrameLength);
    }

    static ServerTransport<CloseableChannel> webSocket(
            String host,
            int port,
            @Nullable Files tls,
            int maxFrameLength,
            reactor.netty.resources.LoopResources loops) {
        HttpServer server = HttpServer.create().host(host).port(port).runOn(loops);
        if (tls != null) {
            server = server.secure(spec -> spec.sslContext(Http11SslContextSpec.forServer(
                    tls.certificateChain().toFile(), tls.privateKey().toFile())));
        }
        server = server.doOnChannelInit((observer, channel, remote) -> {
            if (channel.pipeline().get(reactor.netty.NettyPipeline.HttpCodec) != null) {
                channel.pipeline()
                        .addAfter(
                                reactor.netty.NettyPipeline.HttpCodec,
                                "daak.earlyWebSocketData",
                                EarlyWebSocketData.INSTANCE);
            }
        });
        return WebsocketServerTransport.create(server)
                .webSocketSpec(spec -> spec.maxFramePayloadLength(maxFrameLength));
    }

    /**
     * Closes a WebSocket connection whose client sent frames before the node's handshake answer, which
     * RFC 6455 forbids. Netty hands those bytes on as a raw buffer when it swaps the HTTP codec for the
     * WebSocket one, and reactor-netty 1.3.8 never releases it: one leaked buffer per such connection,
     * which a hostile client could repeat without bound. Stateless and thread-safe.
     */
    @io.netty.channel.ChannelHandler.Sharable
    static final class EarlyWebSocketData extends io.netty.channel.ChannelInboundHandlerAdapter {

        static final EarlyWebSocketData INSTANCE = new EarlyWebSocketData();

        private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(EarlyWebSocketData.class);

        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof io.netty.buffer.ByteBuf early) {
                // After the HTTP codec only HTTP objects or WebSocket frames belong here.
                early.release();
                log.debug(
                        "closing WebSocket connection from {}: it sent data before the handshake's answer",
                        ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * A client transport.
     *
     * @param secure whether to speak TLS
     * @param trust PEM certificates to trust, or null for the JVM's default trust store
     */
    static ClientTransport tcpClient(String host, int port, boolean secure, @Nullable Path trust) {
        // Unpooled connections: each handle owns its connection (a pool would cap how many handles one
        // JVM can open and make the 501st wait for a free slot).
        TcpClient client = TcpClient.newConnection().host(host).port(port);
        if (secure) {
            TcpSslContextSpec spec = TcpSslContextSpec.forClient();
            if (trust != null) {
                spec = spec.configure(b -> b.trustManager(trust.toFile()));
            }
            TcpSslContextSpec ssl = spec;
            client = client.secure(s -> s.sslContext(ssl));
        }
        return TcpClientTransport.create(client);
    }

    static ClientTransport webSocketClient(String host, int port, String path, boolean secure, @Nullable Path trust) {
        HttpClient client = HttpClient.newConnection().host(host).port(port);
        if (secure) {
            Http11SslContextSpec spec = Http11SslContextSpec.forClient();
            if (trust != null) {
                spec = spec.configure(b -> b.trustManager(trust.toFile()));
            }
            Http11SslContextSpec ssl = spec;
            client = client.secure(s -> s.sslContext(ssl));
        }
        return WebsocketClientTransport.create(client, path);
    }

    /** The trust file a client uses when its options name none: system property {@code daak.tls.trust}. */
    static @Nullable Path defaultTrust() {
        String p = System.getProperty("daak.tls.trust");
        if (p == null || p.isBlank()) {
            return null;
        }
        Path path = Path.of(p);
        if (!java.nio.file.Files.isReadable(path)) {
            throw new IllegalArgumentException("system property daak.tls.trust=" + p + " is not a readable PEM file");
        }
        return path;
    }

    /**
     * What to tell a user whose connection failed in a way that TLS explains: a handshake failure (not
     * trusted, wrong host name), or a plain client whose connection a TLS node closed.
     *
     * @param otherwise the hint when TLS does not explain it and the other side could not be reached (an I/O
     *     failure or a timeout); a local problem (a missing JVM flag, bad options) gets none
     */
    static String hint(java.net.URI uri, Throwable e, String otherwise) {
        boolean secure = "tls".equalsIgnoreCase(uri.getScheme()) || "wss".equalsIgnoreCase(uri.getScheme());
        boolean io = false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            io |= t instanceof java.io.IOException || t instanceof java.util.concurrent.TimeoutException;
            if (t instanceof javax.net.ssl.SSLException) {
                return "; the TLS handshake failed: the node's certificate must be trusted (ConnectOptions.trust(pem) "
                        + "or -Ddaak.tls.trust=pem, else the JVM's trust store) and name the host you connect to, and "
                        + "the node must serve TLS";
            }
            boolean closed = t instanceof java.nio.channels.ClosedChannelException
                    || (t.getMessage() != null
                            && t.getMessage().contains("prematurely closed BEFORE opening handshake"));
            if (closed && !secure) {
                return "; if the node serves TLS (it then closes plain connections), connect with "
                        + ("ws".equalsIgnoreCase(uri.getScheme()) ? "wss://" : "tls://") + " instead of "
                        + uri.getScheme() + "://";
            }
        }
        // Only a failure to reach the other side (refused, reset, timed out) suggests that nothing
        // serves there; a local problem (e.g. a missing JVM flag for shm://) says enough by itself.
        return io ? otherwise : "";
    }
}
