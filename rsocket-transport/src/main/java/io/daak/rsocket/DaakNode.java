package io.daak.rsocket;

import io.daak.core.Daak;
import io.daak.core.DaakException;
import io.daak.core.LocalOptions;
import io.daak.rsocket.auth.NodeSecurity;
import io.daak.shm.ShmServerTransport;
import io.daak.shm.ShmUriHandler;
import io.rsocket.ConnectionSetupPayload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketServer;
import io.rsocket.core.Resume;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.resume.InMemoryResumableFramesStore;
import io.rsocket.transport.netty.server.CloseableChannel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A Daak node: the in-process engine served over RSocket on TCP and WebSocket, so that applications
 * in other processes and on other hosts share its topics, keys, queues and services through
 * {@code Daak.connect("tcp://host:port")} or {@code ws://host:port/}, and any RSocket client can use
 * it through the wire contract in {@code docs/wire.md}.
 *
 * <pre>{@code
 * try (DaakNode node = DaakNode.builder().tcpPort(7878).webSocketPort(7879).start()) {
 *     Daak app = Daak.connect(node.tcpUri().toString());
 *     ...
 * }
 * }</pre>
 *
 * <p>The node holds values in the encoded form their publishers sent and never decodes them. Thread-safe.
 */
public final class DaakNode implements AutoCloseable {

    /** The default TCP port. */
    public static final int DEFAULT_TCP_PORT = 7878;

    /** The default WebSocket port. */
    public static final int DEFAULT_WEBSOCKET_PORT = 7879;

    /** The default largest payload accepted: 64 MiB (larger than one frame: payloads travel in fragments). */
    public static final int DEFAULT_MAX_PAYLOAD = 64 << 20;

    /**
     * Frames larger than this travel in fragments, both ways: payloads past RSocket's 16 MiB frame limit
     * work, and one large payload does not hold a connection's other streams for long.
     */
    static final int FRAGMENT_SIZE = 256 * 1024;

    /** RSocket's largest frame: its length field has 24 bits. */
    private static final int FRAME_LENGTH_LIMIT = 0xFF_FFFF;

    /** How long a node keeps the session of a connection that dropped, for the client to resume it. */
    public static final Duration DEFAULT_RESUME_SESSION = Duration.ofSeconds(30);

    /**
     * Bytes of sent frames kept per connection for resumption until the peer confirms them (it does so
     * with every keepalive, every 5 s); a blip that loses more than this ends the session, and the
     * client reconnects instead. Bounds the node's memory for resumption at this much per connection.
     */
    public static final int DEFAULT_RESUME_BUFFER_BYTES = 1 << 20;

    /** The client's counterpart of {@link #DEFAULT_RESUME_BUFFER_BYTES}. */
    static final int RESUME_STORE_BYTES = DEFAULT_RESUME_BUFFER_BYTES;

    private static final Logger log = LoggerFactory.getLogger(DaakNode.class);

    private final Daak engine;
    private final @Nullable CloseableChannel tcp;
    private final @Nullable CloseableChannel webSocket;
    private final io.rsocket.@Nullable Closeable shm;
    private final @Nullable Path shmPath;
    private final Set<NodeConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Sinks.Empty<Void> onClose = Sinks.empty();

    /** The open connections at the RSocket level, told when the node shuts down. */
    private final java.util.Set<io.rsocket.DuplexConnection> open = ConcurrentHashMap.newKeySet();

    private final @Nullable NodeSecurity security;
    private final boolean tls;

    /** The node's own I/O threads for TCP and WebSocket (not the JVM-wide ones clients use). */
    private final reactor.netty.resources.LoopResources loops;

    private DaakNode(Builder b) {
        this.engine = Daak.local(b.options);
        this.loops = reactor.netty.resources.LoopResources.create("daak-node", b.ioThreads, true);
        this.security = b.security;
        this.tls = b.tls != null;
        ResumableSetups setups = new ResumableSetups();
        SocketAcceptor acceptor = (setup, peer) -> {
            String key = ResumableSetups.key(setup);
            return accept(setup, peer)
                    .doOnNext(accepted -> setups.accepted(key))
                    .onErrorResume(e -> setups.refused(key, peer, e));
        };
        RSocketServer server = RSocketServer.create(acceptor)
                .interceptors(registry -> registry.forConnection((type, connection) -> {
                    if (type == io.rsocket.plugins.DuplexConnectionInterceptor.Type.SOURCE) {
                        return new RefusingShortFrames(connection);
                    }
                    if (type != io.rsocket.plugins.DuplexConnectionInterceptor.Type.SERVER) {
                        return connection;
                    }
                    // Each connection (its resumable session, when resumed), to say goodbye on close.
                    open.add(connection);
                    connection.onClose().subscribe(null, e -> open.remove(connection), () -> open.remove(connection));
                    return new ClosingOnGoodbye(connection);
                }))
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .maxInboundPayloadSize(b.maxPayloadSize)
                .fragment(FRAGMENT_SIZE)
                .maxTimeToFirstFrame(Duration.ofSeconds(10));
        if (!b.resumeSession.isZero()) {
            server.resume(new Resume()
                    .sessionDuration(b.resumeSession)
                    .cleanupStoreOnKeepAlive()
                    .storeFactory(token -> new InMemoryResumableFramesStore("node", token, b.resumeBufferBytes)));
        }
        CloseableChannel t = null;
        CloseableChannel w = null;
        io.rsocket.Closeable s = null;
        try {
            // A transport frame may not be larger than the largest payload (fragments are smaller still).
            int frameLimit = Math.min(FRAME_LENGTH_LIMIT, b.maxPayloadSize);
            if (b.tcpPort >= 0) {
                t = bind(
                        server,
                        setups.watch(NodeTls.tcp(b.host, b.tcpPort, b.tls, frameLimit, loops)),
                        "TCP",
                        b.host,
                        b.tcpPort);
            }
            if (b.webSocketPort >= 0) {
                w = bind(
                        server,
                        setups.watch(NodeTls.webSocket(b.host, b.webSocketPort, b.tls, frameLimit, loops)),
                        "WebSocket",
                        b.host,
                        b.webSocketPort);
            }
            if (b.shmPath != null) {
                s = bindShm(server, setups.watch(ShmServerTransport.create(b.shmPath)), b.shmPath);
            }
        } catch (RuntimeException e) {
            if (t != null) {
                t.dispose();
            }
            if (w != null) {
                w.dispose();
            }
            engine.close();
            loops.dispose();
            throw e;
        }
        this.tcp = t;
        this.webSocket = w;
        this.shm = s;
        this.shmPath = b.shmPath;
        log.info(
                "Daak node serving{}{}{}",
                t != null ? " " + tcpScheme() + "://" + hostPort(t.address()) : "",
                w != null ? " " + webSocketScheme() + "://" + hostPort(w.address()) + "/" : "",
                (s != null ? " " + ShmUriHandler.uri(b.shmPath) : "")
                        + (security != null
                                ? " with authentication ("
                                        + security.identities().size() + " identities)"
                                : ""));
    }

    /**
     * Ends a connection's session when the client says goodbye (ERROR frame CONNECTION_CLOSE on stream
     * 0, sent when it closes its handle): a resumable session would otherwise wait for a resume that
     * will not come, holding the client's subscriptions and services. Thread-safe.
     */
    private static final class ClosingOnGoodbye extends ForwardingConnection {

        ClosingOnGoodbye(io.rsocket.DuplexConnection delegate) {
            super(delegate);
        }

        @Override
        public reactor.core.publisher.Flux<io.netty.buffer.ByteBuf> receive() {
            return delegate.receive().doOnNext(frame -> {
                if (connectionFrame(frame) == io.rsocket.frame.FrameType.ERROR
                        && io.rsocket.frame.ErrorFrameCodec.errorCode(frame)
                                == io.rsocket.frame.ErrorFrameCodec.CONNECTION_CLOSE) {
                    // After RSocket has handled the frame (it ends the streams), the session goes.
                    reactor.core.scheduler.Schedulers.parallel().schedule(delegate::dispose);
                }
            });
        }
    }

    /**
     * Closes a connection, with an ERROR frame that says why, on a frame too short to hold a frame
     * header (a zero length prefix, say), before rsocket-java reads one: its reading of the stream id
     * threw, and in the error handling that followed the inbound buffer was now and then released twice
     * (Netty's pool then handed the freed memory to another connection: a healthy subscriber lost a
     * message in {@code BadInputTest}). The frame itself is the transport's to release, as any received
     * frame. Thread-safe.
     */
    private static final class RefusingShortFrames extends ForwardingConnection {

        private final java.util.concurrent.atomic.AtomicBoolean refused =
                new java.util.concurrent.atomic.AtomicBoolean();

        RefusingShortFrames(io.rsocket.DuplexConnection delegate) {
            super(delegate);
        }

        @Override
        public reactor.core.publisher.Flux<io.netty.buffer.ByteBuf> receive() {
            return delegate.receive().handle((frame, sink) -> {
                int length = frame.readableBytes();
                if (length >= io.rsocket.frame.FrameHeaderCodec.size()) {
                    sink.next(frame);
                } else if (refused.compareAndSet(false, true)) {
                    log.debug("closing a connection from {}: a frame of {} bytes", delegate.remoteAddress(), length);
                    delegate.sendErrorAndClose(new io.rsocket.exceptions.ConnectionErrorException(
                            "malformed frame of " + length + " bytes: an RSocket frame starts with a "
                                    + io.rsocket.frame.FrameHeaderCodec.size() + "-byte header"));
                }
            });
        }
    }

    private static CloseableChannel bind(
            RSocketServer server,
            io.rsocket.transport.ServerTransport<CloseableChannel> transport,
            String what,
            String host,
            int port) {
        try {
            return server.bind(transport).block(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            throw new DaakException(
                    "cannot serve " + what + " on " + host + ":" + port + ": " + rootMessage(e)
                            + (port != 0 ? "; is another node running? choose another port" : ""),
                    e);
        }
    }

    private static io.rsocket.Closeable bindShm(
            RSocketServer server, io.rsocket.transport.ServerTransport<? extends io.rsocket.Closeable> shm, Path path) {
        try {
            return server.bind(shm).block(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            throw new DaakException("cannot serve shared memory on " + path + ": " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    private static final AtomicLong CONNECTION_IDS = new AtomicLong();

    private Mono<RSocket> accept(ConnectionSetupPayload setup, RSocket peer) {
        String metadataMime = setup.metadataMimeType();
        if (!Wire.COMPOSITE.equals(metadataMime)) {
            return Mono.error(new RejectedSetupException("Daak needs metadataMimeType '" + Wire.COMPOSITE
                    + "' in SETUP (got '" + metadataMime + "'); see docs/wire.md"));
        }
        if (closed.get()) {
            return Mono.error(new RejectedSetupException("the node is shutting down"));
        }
        String dataMime = setup.dataMimeType();
        String name = "c" + CONNECTION_IDS.incrementAndGet();
        if (security == null) {
            return Mono.just(open(engine, peer, name, dataMime));
        }
        // The credentials are read now (the SETUP payload is released once this returns); checking a
        // password may take a worker thread a while.
        return security.authenticate(setup.hasMetadata() ? setup.sliceMetadata() : null)
                .map(identity -> open(security.guard(engine, identity), peer, name + "/" + identity.name(), dataMime));
    }

    private NodeConnection open(Daak view, RSocket peer, String name, String dataMime) {
        NodeConnection connection = new NodeConnection(view, peer, name, dataMime);
        connections.add(connection);
        peer.onClose()
                .doFinally(s -> {
                    connections.remove(connection);
                    connection.closed();
                })
                .subscribe(v -> {}, e -> {});
        log.debug("connection {} accepted (data {})", name, dataMime);
        return connection;
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    /**
     * A builder with the defaults: TCP on {@value #DEFAULT_TCP_PORT} and WebSocket on
     * {@value #DEFAULT_WEBSOCKET_PORT} on all interfaces, the engine's default options.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The TCP address the node listens on.
     *
     * @return the bound address
     * @throws IllegalStateException when TCP is off
     */
    public InetSocketAddress tcpAddress() {
        if (tcp == null) {
            throw new IllegalStateException("this node does not serve TCP (Builder.noTcp())");
        }
        return tcp.address();
    }

    /**
     * The WebSocket address the node listens on.
     *
     * @return the bound address
     * @throws IllegalStateException when WebSocket is off
     */
    public InetSocketAddress webSocketAddress() {
        if (webSocket == null) {
            throw new IllegalStateException("this node does not serve WebSocket (Builder.noWebSocket())");
        }
        return webSocket.address();
    }

    /**
     * The URI a client on this host gives to {@link Daak#connect(String)} for TCP.
     *
     * @return {@code tcp://localhost:port}, or {@code tls://localhost:port} when the node serves TLS
     */
    public URI tcpUri() {
        return URI.create(tcpScheme() + "://localhost:" + tcpAddress().getPort());
    }

    /**
     * The URI a client on this host gives to {@link Daak#connect(String)} for WebSocket.
     *
     * @return {@code ws://localhost:port/}, or {@code wss://localhost:port/} when the node serves TLS
     */
    public URI webSocketUri() {
        return URI.create(
                webSocketScheme() + "://localhost:" + webSocketAddress().getPort() + "/");
    }

    private String tcpScheme() {
        return tls ? "tls" : "tcp";
    }

    private String webSocketScheme() {
        return tls ? "wss" : "ws";
    }

    /**
     * The URI a client on this host gives to {@link Daak#connect(String)} for shared memory.
     *
     * @return {@code shm:///path/to/socket}
     * @throws IllegalStateException when shared memory is off
     */
    public URI shmUri() {
        if (shmPath == null) {
            throw new IllegalStateException("this node does not serve shared memory (Builder.shmPath(path))");
        }
        return ShmUriHandler.uri(shmPath);
    }

    /**
     * How many clients are connected.
     *
     * @return the connection count
     */
    public int connections() {
        return connections.size();
    }

    /**
     * Completes when the node has closed.
     *
     * @return a signal of the close
     */
    public Mono<Void> onClose() {
        return onClose.asMono();
    }

    /**
     * Shuts down: stops accepting connections, closes the open ones (their subscriptions end, their
     * services are removed, their unacknowledged queue deliveries go back to the queue) and closes the
     * engine. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Each connection is told that the node is going (after the frames already queued on it), so
        // that clients end their sessions at once instead of trying to resume them, and re-establish
        // their subscriptions and services when a node is back (a restart). Then the engine closes.
        for (io.rsocket.DuplexConnection c : open) {
            c.sendErrorAndClose(new io.rsocket.exceptions.ConnectionCloseException("the node shut down"));
        }
        if (tcp != null) {
            tcp.dispose();
        }
        if (webSocket != null) {
            webSocket.dispose();
        }
        if (shm != null) {
            shm.dispose();
        }
        Mono.whenDelayError(
                        tcp != null ? tcp.onClose() : Mono.empty(),
                        webSocket != null ? webSocket.onClose() : Mono.empty(),
                        shm != null ? shm.onClose() : Mono.empty())
                .onErrorResume(e -> Mono.empty())
                .block(Duration.ofSeconds(10));
        for (NodeConnection c : connections) {
            c.closed();
        }
        connections.clear();
        engine.close();
        loops.disposeLater().onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10));
        log.info("Daak node closed");
        onClose.tryEmitEmpty();
    }

    @Override
    public String toString() {
        return "DaakNode[" + (tcp != null ? "tcp=" + hostPort(tcp.address()) : "")
                + (webSocket != null ? " ws=" + hostPort(webSocket.address()) : "")
                + (shmPath != null ? " shm=" + shmPath : "") + "]";
    }

    /** Settings of a node; a new builder has the defaults. Not thread-safe. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int tcpPort = DEFAULT_TCP_PORT;
        private int webSocketPort = DEFAULT_WEBSOCKET_PORT;
        private int maxPayloadSize = DEFAULT_MAX_PAYLOAD;
        private Duration resumeSession = DEFAULT_RESUME_SESSION;
        private int resumeBufferBytes = DEFAULT_RESUME_BUFFER_BYTES;
        private int ioThreads = defaultIoThreads();
        private LocalOptions options = LocalOptions.defaults();
        private @Nullable NodeSecurity security;
        private NodeTls.@Nullable Files tls;
        private @Nullable Path shmPath;

        private Builder() {}

        /**
         * Turns on authentication and access control: every connection must authenticate at SETUP as
         * one of the configuration's identities (or is anonymous when the configuration allows it), and
         * every operation is checked against that identity's access rules. See {@code docs/security.md}.
         *
         * @param security the identities and their rules, e.g. {@link NodeSecurity#fromFile}
         * @return this builder
         */
        public Builder security(NodeSecurity security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /**
         * Serves TCP and WebSocket over TLS (clients use {@code tls://} and {@code wss://}).
         *
         * @param certificateChain a PEM file with the node's certificate first, then its issuers
         * @param privateKey a PEM file with the certificate's unencrypted PKCS#8 private key
         *     ({@code -----BEGIN PRIVATE KEY-----})
         * @return this builder
         * @throws IllegalArgumentException when a file is not readable
         */
        public Builder tls(java.nio.file.Path certificateChain, java.nio.file.Path privateKey) {
            this.tls = NodeTls.files(certificateChain, privateKey);
            return this;
        }

        /**
         * Also serves clients on this host through shared memory, on a Unix-domain socket at
         * {@code socketPath}; they connect with {@code Daak.connect("shm://" + socketPath)}. Every JVM
         * using it needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (see docs/shm.md).
         *
         * @param socketPath an absolute path for the socket; a stale socket file there is replaced
         * @return this builder
         */
        public Builder shmPath(Path socketPath) {
            this.shmPath = Objects.requireNonNull(socketPath, "socketPath").toAbsolutePath();
            return this;
        }

        /**
         * The interface to listen on.
         *
         * @param host a host name or address; {@code 0.0.0.0} for all
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * The TCP port; 0 picks a free one.
         *
         * @param port 0..65535
         * @return this builder
         */
        public Builder tcpPort(int port) {
            this.tcpPort = checkPort("tcpPort", port);
            return this;
        }

        /**
         * The WebSocket port; 0 picks a free one.
         *
         * @param port 0..65535
         * @return this builder
         */
        public Builder webSocketPort(int port) {
            this.webSocketPort = checkPort("webSocketPort", port);
            return this;
        }

        /**
         * Serves no TCP.
         *
         * @return this builder
         */
        public Builder noTcp() {
            this.tcpPort = -1;
            return this;
        }

        /**
         * Serves no WebSocket.
         *
         * @return this builder
         */
        public Builder noWebSocket() {
            this.webSocketPort = -1;
            return this;
        }

        /**
         * The largest payload accepted from a client.
         *
         * @param bytes at least 64
         * @return this builder
         */
        public Builder maxPayloadSize(int bytes) {
            if (bytes < 64) {
                throw new IllegalArgumentException("maxPayloadSize=" + bytes + " must be at least 64");
            }
            this.maxPayloadSize = bytes;
            return this;
        }

        /**
         * How long the node keeps the session of a client whose connection dropped, so that the client
         * resumes it (RSocket resumption: streams go on, nothing in flight is lost); zero turns
         * resumption off. Clients resume by default.
         *
         * @param session 0 or more
         * @return this builder
         */
        public Builder resumeSession(Duration session) {
            Objects.requireNonNull(session, "session");
            if (session.isNegative()) {
                throw new IllegalArgumentException("resumeSession=" + session + " must not be negative");
            }
            this.resumeSession = session;
            return this;
        }

        /**
         * Bytes of sent frames the node keeps per connection so that a resumed session loses nothing
         * (default {@value #DEFAULT_RESUME_BUFFER_BYTES}, 1 MiB). The peer confirms what it received with
         * each keepalive (every 5 s), which frees them; a blip that would need more than this ends the
         * session instead, and the client reconnects with a gap. The node's memory for resumption is at
         * most this much per connection.
         *
         * @param bytes at least 64 KiB
         * @return this builder
         */
        public Builder resumeBufferBytes(int bytes) {
            if (bytes < 64 * 1024) {
                throw new IllegalArgumentException("resumeBufferBytes=" + bytes + " must be at least 65536");
            }
            this.resumeBufferBytes = bytes;
            return this;
        }

        /**
         * The threads that serve TCP and WebSocket connections (default: one per available processor,
         * at least one). Each connection stays on one of them. Fewer threads than Reactor Netty's
         * default (at least four) means that a request routed from one client to another, or a message
         * fanned out to other connections, more often stays on its thread instead of waking another
         * (see {@code docs/wire.md}, "Node threads").
         *
         * @param threads 1 or more
         * @return this builder
         */
        public Builder ioThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("ioThreads=" + threads + " must be at least 1");
            }
            this.ioThreads = threads;
            return this;
        }

        private static int defaultIoThreads() {
            return Math.max(1, Runtime.getRuntime().availableProcessors());
        }

        /**
         * The engine's options: retention, storage, interceptors, scheduler, limits.
         *
         * @param options the options
         * @return this builder
         */
        public Builder engine(LocalOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Binds the ports and starts serving; returns once the node accepts connections.
         *
         * @return the running node
         * @throws DaakException when a port cannot be bound
         */
        public DaakNode start() {
            if (tcpPort < 0 && webSocketPort < 0 && shmPath == null) {
                throw new IllegalStateException(
                        "the node serves neither TCP, WebSocket nor shared memory; keep at least one");
            }
            return new DaakNode(this);
        }

        private static int checkPort(String name, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + "=" + port + " must be within 0..65535");
            }
            return port;
        }
    }
}
