package io.daak.rsocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daak.codec.CodecRegistry;
import io.daak.core.Change;
import io.daak.core.Codec;
import io.daak.core.CodecException;
import io.daak.core.ConnectionEvent;
import io.daak.core.Daak;
import io.daak.core.DaakException;
import io.daak.core.Delivery;
import io.daak.core.Entry;
import io.daak.core.Fields;
import io.daak.core.Key;
import io.daak.core.Message;
import io.daak.core.Publication;
import io.daak.core.PublishResult;
import io.daak.core.Queue;
import io.daak.core.RawValue;
import io.daak.core.Registration;
import io.daak.core.Selector;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.Resume;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.resume.InMemoryResumableFramesStore;
import io.rsocket.transport.ClientTransport;
import io.rsocket.util.ByteBufPayload;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The {@link Daak} API over RSocket to a {@link DaakNode}: every call becomes the interaction the wire
 * contract names for it ({@code docs/wire.md}); values are encoded with the descriptor's codec, or the
 * registry's codec for the Java type.
 *
 * <p>Connects lazily on first use and again on the next call after the connection is lost. Thread-safe.
 */
final class RemoteDaak implements Daak {

    private static final Logger log = LoggerFactory.getLogger(RemoteDaak.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong REGISTRATION_IDS = new AtomicLong();

    /** At most this many messages are requested from the node per subscription ahead of the application. */
    static final long WINDOW = 512;

    /** How long a tryPublish on a thread that may block waits for the first connection. */
    static final java.time.Duration FIRST_CONNECT_WAIT = java.time.Duration.ofSeconds(5);

    private final URI uri;
    private final CodecRegistry codecs;
    private final String dataMimeType;
    private final ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
    private final Map<Long, Served<?, ?>> served = new ConcurrentHashMap<>();
    private final Map<Class<?>, Codec> codecByType = new ConcurrentHashMap<>();
    private final Map<String, Class<?>> classes = new ConcurrentHashMap<>();
    private final Mono<RSocket> socket;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    /** The open publish channels of this handle's publications: close lets them finish. */
    private final java.util.Set<PublishChannel> channels = ConcurrentHashMap.newKeySet();

    /**
     * Keepalive: a frame each way every interval; a peer silent for the lifetime is dead and its
     * resources are freed (the node learns these values from the client's SETUP).
     */
    static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(5);

    static final Duration KEEPALIVE_MAX_LIFETIME = Duration.ofSeconds(20);

    /** How long close waits for queued publishes to be sent and answered. */
    static final java.time.Duration CLOSE_DRAIN = java.time.Duration.ofSeconds(5);

    /** Guards {@link #current} and {@link #waiters}. */
    private final Object gate = new Object();

    /** The open connection, once every call that waited for it has had it. */
    private volatile @Nullable RSocket current;

    private final MessageAuthentication macs;

    /** What happens to the connection, for {@link #connectionEvents()}: the latest event, then each new one. */
    private final Sinks.Many<ConnectionEvent> events = Sinks.many().replay().latest();

    /** Since when the handle has been without a connection (guarded by {@link #events}); null while up. */
    private @Nullable Instant lostAt;

    /** Whether the handle ever connected (guarded by {@link #events}). */
    private boolean everConnected;

    /** Turns a resumable session's connection losses and resumptions into events. */
    private final SessionProbe.Listener sessionEvents = new SessionProbe.Listener() {
        @Override
        public void lost(@Nullable Throwable cause) {
            event(ConnectionEvent.Kind.DISCONNECTED, cause);
        }

        @Override
        public void resumed() {
            event(ConnectionEvent.Kind.RESUMED, null);
        }
    };

    /** The latest resumable session's probe: knows whether the node refused it. */
    private volatile @Nullable SessionProbe probe;

    /** Calls waiting for the connection, in call order; null when none is being made. */
    private @Nullable List<MonoSink<RSocket>> waiters;

    RemoteDaak(URI uri, ClientTransport transport, CodecRegistry codecs, String dataMimeType) {
        this(uri, transport, codecs, dataMimeType, null, MessageAuthentication.none(), false);
    }

    /**
     * @param setup makes the SETUP payload (credentials) for each connection attempt; null for none
     * @param macs keys of message authentication between clients
     * @param resume whether to resume the session after a blip (RSocket resumption)
     */
    RemoteDaak(
            URI uri,
            ClientTransport transport,
            CodecRegistry codecs,
            String dataMimeType,
            java.util.function.@Nullable Supplier<Payload> setup,
            MessageAuthentication macs,
            boolean resume) {
        this.uri = uri;
        this.codecs = codecs;
        this.dataMimeType = dataMimeType;
        this.macs = macs;
        ClientResponder responder = new ClientResponder(this);
        Mono<RSocket> connect = Mono.defer(() -> {
                    if (closed.get()) {
                        return Mono.error(new DaakException("this Daak handle to " + uri + " is closed"));
                    }
                    RSocketConnector connector = RSocketConnector.create();
                    // Resumes only a session the node accepted: a refused SETUP or a connection the
                    // node never answered ends at once with its reason (see SessionProbe).
                    SessionProbe probe = resume ? new SessionProbe(sessionEvents) : null;
                    this.probe = probe;
                    ClientTransport watched = probe != null ? probe.watch(transport) : transport;
                    if (probe != null) {
                        connector = connector.resume(new Resume()
                                .sessionDuration(DaakNode.DEFAULT_RESUME_SESSION)
                                .cleanupStoreOnKeepAlive()
                                .storeFactory(token ->
                                        new InMemoryResumableFramesStore("client", token, DaakNode.RESUME_STORE_BYTES))
                                .retry(probe.retry(Duration.ofMillis(50), Duration.ofSeconds(2))));
                    }
                    if (setup != null) {
                        connector = connector.setupPayload(Mono.fromSupplier(setup));
                    }
                    return connector
                            .metadataMimeType(Wire.COMPOSITE)
                            .dataMimeType(dataMimeType)
                            .payloadDecoder(PayloadDecoder.ZERO_COPY)
                            .fragment(DaakNode.FRAGMENT_SIZE)
                            .maxInboundPayloadSize(DaakNode.DEFAULT_MAX_PAYLOAD)
                            .keepAlive(KEEPALIVE_INTERVAL, KEEPALIVE_MAX_LIFETIME)
                            .acceptor(SocketAcceptor.with(responder))
                            .connect(watched)
                            .map(rs -> probe != null ? probe.attach(rs) : rs);
                })
                .onErrorMap(
                        e -> !(e instanceof DaakException),
                        e -> new DaakException(
                                "cannot connect to " + uri + ": " + rootMessage(e)
                                        + NodeTls.hint(
                                                uri, e, "; is a Daak node running there (java -jar daak.jar node)?"),
                                e));
        this.socket = Mono.create(sink -> {
            RSocket rs;
            boolean start = false;
            synchronized (gate) {
                rs = current;
                if (rs == null || rs.isDisposed()) {
                    rs = null;
                    if (waiters == null) {
                        waiters = new ArrayList<>();
                        start = true;
                    }
                    waiters.add(sink);
                }
            }
            if (rs != null) {
                sink.success(rs);
            } else if (start) {
                connect.subscribe(this::connected, this::connectFailed);
            }
        });
    }

    /**
     * The connection is up: hands it to the calls that waited, in the order they came, each on this
     * thread (so what each sends is queued on the connection before the next one's); calls that
     * arrive meanwhile queue behind them, and only then the connection is open to everyone.
     */
    private void connected(RSocket rs) {
        event(ConnectionEvent.Kind.CONNECTED, null);
        rs.onClose()
                .subscribe(
                        null,
                        e -> event(ConnectionEvent.Kind.DISCONNECTED, e),
                        () -> event(ConnectionEvent.Kind.DISCONNECTED, goodbye()));
        while (true) {
            List<MonoSink<RSocket>> ready;
            synchronized (gate) {
                ready = waiters;
                if (ready == null || ready.isEmpty()) {
                    waiters = null;
                    current = rs;
                    break;
                }
                waiters = new ArrayList<>();
            }
            ready.forEach(w -> w.success(rs));
        }
        if (closed.get()) {
            rs.dispose();
        }
    }

    /** The node's goodbye (it shut down) that ended the latest session, if it said one. */
    private @Nullable Throwable goodbye() {
        SessionProbe session = probe;
        return session != null ? session.ended() : null;
    }

    /** Records and emits a connection event; a loss is told once until the connection is back. */
    private void event(ConnectionEvent.Kind kind, @Nullable Throwable cause) {
        if (closing.get()) {
            return;
        }
        synchronized (events) {
            Instant now = Instant.now();
            Duration down = Duration.ZERO;
            switch (kind) {
                case DISCONNECTED -> {
                    if (lostAt != null || !everConnected) {
                        return;
                    }
                    lostAt = now;
                }
                case CONNECTED -> {
                    if (everConnected) {
                        kind = ConnectionEvent.Kind.RECONNECTED;
                    }
                    everConnected = true;
                    down = lostAt != null ? Duration.between(lostAt, now) : Duration.ZERO;
                    lostAt = null;
                }
                default -> {
                    down = lostAt != null ? Duration.between(lostAt, now) : Duration.ZERO;
                    lostAt = null;
                }
            }
            if (kind == ConnectionEvent.Kind.RECONNECTED) {
                log.info(
                        "reconnected to {} after {} ms: messages published meanwhile may have been missed",
                        uri,
                        down.toMillis());
            } else if (kind == ConnectionEvent.Kind.RESUMED) {
                log.info("resumed the session with {} after {} ms: nothing lost", uri, down.toMillis());
            }
            boolean byPeer = false;
            for (Throwable t = cause; t != null && !byPeer; t = t.getCause() == t ? null : t.getCause()) {
                byPeer = t instanceof io.rsocket.exceptions.ConnectionCloseException;
            }
            events.tryEmitNext(new ConnectionEvent(kind, uri, now, cause, down, byPeer));
        }
    }

    @Override
    public Flux<ConnectionEvent> connectionEvents() {
        return events.asFlux();
    }

    private void connectFailed(Throwable e) {
        List<MonoSink<RSocket>> failed;
        synchronized (gate) {
            failed = waiters != null ? waiters : List.of();
            waiters = null;
        }
        failed.forEach(w -> w.error(e));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    /** The data MIME type this handle declares in its SETUP: that of payloads without a MIME entry. */
    String dataMimeType() {
        return dataMimeType;
    }

    // ------------------------------------------------------------------ codecs

    /** The codec last looked up by type: most calls ask for the type of the call before. */
    private record LastCodec(Class<?> type, Codec codec) {}

    private volatile @Nullable LastCodec lastCodec;

    Codec codec(@Nullable Codec declared, Class<?> type) {
        if (declared != null) {
            return declared;
        }
        LastCodec last = lastCodec;
        if (last != null && last.type() == type) {
            return last.codec();
        }
        Codec known = codecByType.computeIfAbsent(type, codecs::forType);
        lastCodec = new LastCodec(type, known);
        return known;
    }

    /** Encodes into a payload the caller owns. */
    <T> Payload payload(
            @Nullable String route, @Nullable T value, Class<T> type, @Nullable Codec declared, WireFields f) {
        return payload(route, value, type, declared, f, null);
    }

    /**
     * Encodes into a payload the caller owns; a published value ({@code topic} given) is signed when a
     * message authentication key covers the topic.
     */
    private <T> Payload payload(
            @Nullable String route,
            @Nullable T value,
            Class<T> type,
            @Nullable Codec declared,
            WireFields f,
            @Nullable String topic) {
        Encoding e = encode(value, type, declared, f, topic, allocator);
        try {
            return ByteBufPayload.create(e.data(), metadata(route, e.mime(), f));
        } catch (RuntimeException x) {
            e.data().release();
            throw x;
        }
    }

    /** The most metadata layouts {@link #plainMetadata} remembers (each about 100 bytes). */
    private static final int PLAIN_METADATA_CACHE = 1024;

    /** Composite metadata of calls whose fields hold at most a Java type, by route, MIME type and type. */
    private final Map<PlainMetadata, byte[]> plainMetadata = new ConcurrentHashMap<>();

    private record PlainMetadata(
            @Nullable String route,
            @Nullable String mime,
            @Nullable String type) {}

    /**
     * A call's composite metadata: for fields that say no more than a Java type (most calls), the
     * bytes made for the same route, MIME type and type before; else written anew.
     */
    private @Nullable ByteBuf metadata(@Nullable String route, @Nullable String mime, WireFields f) {
        if (!f.isEmptyButType()) {
            return Wire.write(allocator, route, mime, f);
        }
        PlainMetadata key = new PlainMetadata(route, mime, f.type);
        byte[] bytes = plainMetadata.get(key);
        if (bytes == null) {
            ByteBuf made = Wire.write(allocator, route, mime, f);
            if (made == null || plainMetadata.size() >= PLAIN_METADATA_CACHE) {
                return made;
            }
            plainMetadata.put(key, ByteBufUtil.getBytes(made));
            return made;
        }
        return allocator.buffer(bytes.length).writeBytes(bytes);
    }

    /**
     * Encodes a published value as an entry of a compact publish batch (see {@link
     * CompactEntry#publishMetadata}), signed like {@link #payload}. The value is encoded on the heap:
     * the batch copies it at once, so pooled memory would only add its bookkeeping.
     */
    private <T> PublishChannel.Entry entry(
            T value, Class<T> type, @Nullable Codec declared, WireFields f, String topic) {
        Encoding e = encode(value, type, declared, f, topic, HEAP);
        return new PublishChannel.Entry(CompactEntry.publishMetadata(e.mime(), f), e.data());
    }

    /** Heap buffers for values copied into a batch at once (not tracked: the garbage collector frees them). */
    private static final ByteBufAllocator HEAP = new io.netty.buffer.UnpooledByteBufAllocator(false, true);

    /** An encoded value and its MIME type when it is not the connection's. */
    private record Encoding(ByteBuf data, @Nullable String mime) {}

    /** Encodes a value (sets {@code f.type}, and {@code f.headers} when signed); the caller owns the data. */
    private <T> Encoding encode(
            @Nullable T value,
            Class<T> type,
            @Nullable Codec declared,
            WireFields f,
            @Nullable String topic,
            ByteBufAllocator into) {
        ByteBuf data = Unpooled.EMPTY_BUFFER;
        String mime = null;
        if (value instanceof RawValue raw && declared == null) {
            // Travels as it was encoded, so receivers decode it as from its original sender.
            data = raw.bytes().length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(raw.bytes());
            f.type = raw.javaType();
            mime = raw.mimeType().equals(dataMimeType) ? null : raw.mimeType();
        } else if (value != null) {
            Codec codec = codec(declared, type);
            try {
                data = codec.encode(value, type, into);
            } catch (CodecException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new CodecException("cannot encode " + type.getName() + " with " + codec.mimeType() + ": " + e, e);
            }
            // A declared Object says nothing: tell receivers the value's own class.
            f.type = type == Object.class ? value.getClass().getName() : type.getName();
            mime = codec.mimeType().equals(dataMimeType) ? null : codec.mimeType();
            if (topic != null && !macs.isEmpty()) {
                try {
                    f.headers = macs.sign(topic, codec.mimeType(), f.type, f.headers, data);
                } catch (RuntimeException e) {
                    data.release();
                    throw e;
                }
            }
        }
        return new Encoding(data, mime);
    }

    /** Decodes a payload's data (not released). */
    <T> T decode(String what, Payload p, Wire.Meta meta, Class<T> type, @Nullable Codec declared) {
        return decode(what, p, meta.mimeType(), meta.fieldsOrEmpty().type, type, declared);
    }

    /**
     * Decodes a payload's data (not released).
     *
     * @param sentMime the MIME type the payload names, or null for the connection's
     * @param sentType the Java type name the payload names, or null
     */
    private <T> T decode(
            String what,
            Payload p,
            @Nullable String sentMime,
            @Nullable String sentType,
            Class<T> type,
            @Nullable Codec declared) {
        if (type == RawValue.class) {
            // Undecoded, whatever the format: for tools that carry values (recorders, taps, bridges).
            String raw = sentMime != null ? sentMime : dataMimeType;
            return type.cast(RawValue.of(ByteBufUtil.getBytes(p.sliceData()), raw, sentType));
        }
        Class<T> as = type;
        if (sentType != null && !sentType.equals(type.getName())) {
            Class<?> sent = load(sentType);
            if (sent != null) {
                if (!type.isAssignableFrom(sent)) {
                    throw new DaakException(what + " carries " + sent.getName() + " values but the subscription "
                            + "expects " + type.getName() + "; subscribe with a matching type (or Object.class)");
                }
                if (type == Object.class) {
                    @SuppressWarnings("unchecked")
                    Class<T> cast = (Class<T>) sent;
                    as = cast;
                }
            }
        }
        String mime = sentMime != null ? sentMime : dataMimeType;
        if (as == Object.class && sentType == null && declared == null) {
            // No type from the sender (a non-Java client): take the natural type of its format.
            Codec sent = codecs.find(mime).orElse(null);
            if (sent != null && !sent.supports(Object.class)) {
                Class<?> natural = sent.supports(String.class)
                        ? String.class
                        : sent.supports(byte[].class) ? byte[].class : Object.class;
                @SuppressWarnings("unchecked")
                Class<T> cast = (Class<T>) natural;
                as = cast;
            }
        }
        Codec expected = codec(declared, as);
        ByteBuf data = p.sliceData();
        try {
            String expectedMime = expected.mimeType();
            if (mime.equals(expectedMime) || mime.equalsIgnoreCase(expectedMime)) {
                return nonNull(what, expected.decode(data, as), expected);
            }
            Codec sent = codecs.find(mime).orElse(null);
            if (sent != null && isJackson(sent) && sent.supports(as)) {
                return nonNull(what, sent.decode(data, as), sent);
            }
            return nonNull(what, codecs.decode(what, data, mime, as, expected), expected);
        } catch (CodecException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodecException(what + ": cannot decode " + mime + " as " + as.getName() + ": " + e, e);
        }
    }

    private static boolean isJackson(Codec c) {
        String m = c.mimeType();
        return m.contains("json") || m.contains("cbor");
    }

    private static <T> T nonNull(String what, @Nullable T v, Codec codec) {
        if (v == null) {
            throw new CodecException(what + ": " + codec.mimeType() + " decoded null");
        }
        return v;
    }

    private @Nullable Class<?> load(String name) {
        Class<?> c = classes.get(name);
        if (c != null) {
            return c == Void.class ? null : c;
        }
        try {
            c = Class.forName(name, false, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            try {
                c = Class.forName(name, false, RemoteDaak.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError | RuntimeException e2) {
                c = Void.class;
            }
        }
        classes.put(name, c);
        return c == Void.class ? null : c;
    }

    private static JsonNode json(Payload p) {
        try {
            ByteBuf data = p.sliceData();
            return JSON.readTree(ByteBufUtil.getBytes(data));
        } catch (IOException e) {
            throw new DaakException("the node answered with malformed JSON: " + e.getMessage(), e);
        } finally {
            p.release();
        }
    }

    private static Wire.Meta meta(Payload p) {
        if (p instanceof Batch.Delivered d) {
            return d.meta(); // from a compact batch: read already
        }
        return Wire.read(p.hasMetadata() ? p.sliceMetadata() : null);
    }

    /** A topic and how errors name it, kept while the same topic (the same string) comes again. */
    private record Label(String topic, String text) {}

    private volatile Label label = new Label("", "topic ''");

    /** {@code topic 'name'}, made once while the same topic string repeats. */
    private String label(String topic) {
        Label l = label;
        if (l.topic() != topic) {
            l = new Label(topic, "topic '" + topic + "'");
            label = l;
        }
        return l.text();
    }

    private <T> Message<T> message(Payload p, String what, Class<T> type, @Nullable Codec codec) {
        if (p instanceof Batch.Delivered d) {
            try {
                CompactEntry.Head h = d.head;
                T value = decode(label(h.topic()), p, h.mime(), h.type(), type, codec);
                Instant ts = h.timestamp();
                String mime = h.mime() != null ? h.mime() : dataMimeType;
                return Message.of(h.topic(), value, h.seq(), ts, h.fields(ts), mime);
            } finally {
                p.release();
            }
        }
        try {
            Wire.Meta meta = meta(p);
            WireFields f = meta.fieldsOrEmpty();
            String topic = f.name != null ? f.name : what;
            T value = decode(label(topic), p, meta, type, codec);
            Instant ts = f.timestamp();
            String mime = meta.mimeType() != null ? meta.mimeType() : dataMimeType;
            return Message.of(topic, value, f.seq, ts != null ? ts : Instant.now(), f.toFields(), mime);
        } finally {
            p.release();
        }
    }

    private Throwable remote(Throwable e, @Nullable String service) {
        SessionProbe session = probe;
        io.rsocket.RSocketErrorException refused = session != null ? session.rejection() : null;
        if (refused != null && (isConnectionLoss(e) || e == refused)) {
            // The session ended because the node refused it: say so, not "connection closed".
            e = refused;
        }
        Throwable t = Wire.fromWire(e, service);
        // Once the node has answered on this session, TLS does not explain a closed connection.
        String hint = session != null && session.answered() ? "" : NodeTls.hint(uri, e, "");
        return hint.isEmpty() ? t : new DaakException(t.getMessage() + hint, e);
    }

    // ------------------------------------------------------------------ publish / subscribe

    @Override
    public <T> Mono<PublishResult> publish(Topic<T> topic, T value, Fields fields) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(fields, "fields");
        String route = Wire.Op.PUBLISH.route(topic.name());
        return withSocket(rs -> rs.requestResponse(
                        payload(route, value, topic.type(), topic.codec(), WireFields.of(fields), topic.name())))
                .map(RemoteDaak::result)
                .onErrorMap(e -> remote(e, null));
    }

    /**
     * A call on the connection: made at once when the connection is open (the common case, with no
     * waiting machinery), else once {@link #socket} has one. Lazy, as {@code socket.flatMap} is.
     */
    private <R> Mono<R> withSocket(java.util.function.Function<RSocket, Mono<R>> call) {
        return Mono.defer(() -> {
            RSocket rs = current;
            return rs != null && !rs.isDisposed() ? call.apply(rs) : socket.flatMap(call);
        });
    }

    private static PublishResult result(Payload p) {
        return PublishChannel.single(p);
    }

    @Override
    public <T> Publication<T> publication(Topic<T> topic) {
        Objects.requireNonNull(topic, "topic");
        String route = Wire.Op.PUBLISH.route(topic.name());
        return new Publication<>() {
            @Override
            public Topic<T> topic() {
                return topic;
            }

            private @Nullable PublishChannel channel;

            /** The open channel of this publication, opened anew after one ended. */
            private synchronized PublishChannel channel() {
                PublishChannel c = channel;
                if (c == null || c.isClosed()) {
                    if (c != null) {
                        channels.remove(c);
                    }
                    c = PublishChannel.open(
                            topic.name(),
                            allocator,
                            out -> socket.flatMapMany(rs -> rs.requestChannel(out)),
                            closing::get);
                    channel = c;
                    channels.add(c);
                }
                return c;
            }

            @Override
            public boolean tryPublish(T value, Fields fields) {
                Objects.requireNonNull(value, "value");
                Objects.requireNonNull(fields, "fields");
                RSocket rs = current;
                if ((rs == null || rs.isDisposed()) && !Schedulers.isInNonBlockingThread()) {
                    // First use on a thread that may wait: connect now (bounded), so that a node that is not
                    // there is a false here rather than a publish lost later.
                    try {
                        socket.block(FIRST_CONNECT_WAIT);
                    } catch (RuntimeException e) {
                        log.debug("connect for tryPublish failed: {}", e.toString());
                        return false;
                    }
                }
                PublishChannel.Entry entry =
                        entry(value, topic.type(), topic.codec(), WireFields.of(fields), topic.name());
                return channel().offer(entry, null);
            }

            @Override
            public Mono<PublishResult> publish(T value, Fields fields) {
                Objects.requireNonNull(value, "value");
                Objects.requireNonNull(fields, "fields");
                // Through the same channel as tryPublish, so that results follow call order; when that
                // channel is full, as a request of its own (which waits at the node like any publish).
                return Mono.<PublishResult>create(sink -> {
                            PublishChannel.Entry entry =
                                    entry(value, topic.type(), topic.codec(), WireFields.of(fields), topic.name());
                            if (!channel().offer(entry, sink)) {
                                RemoteDaak.this.publish(topic, value, fields).subscribe(sink::success, sink::error);
                            }
                        })
                        .onErrorMap(e -> remote(e, null));
            }

            @Override
            public String toString() {
                return "Publication[" + topic.name() + " @ " + uri + "]";
            }
        };
    }

    @Override
    public <T> Flux<PublishResult> publishAll(Topic<T> topic, Publisher<? extends T> values) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(values, "values");
        return PublishChannel.<T>stream(
                        topic.name(),
                        allocator,
                        values,
                        v -> entry(v, topic.type(), topic.codec(), new WireFields(), topic.name()),
                        out -> socket.flatMapMany(rs -> rs.requestChannel(out)))
                .onErrorMap(e -> remote(reactor.core.Exceptions.unwrap(e), null));
    }

    @Override
    public <T> Flux<Message<T>> subscribe(Selector<T> selector, SubscribeOptions options) {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(options, "options");
        String route = Wire.Op.SUBSCRIBE.route(selector.pattern());
        return resilient("subscription to '" + selector.pattern() + "'", established -> {
                    Flux<Payload> stream = socket.flatMapMany(
                            rs -> rs.requestStream(payload(route, null, Object.class, null, batched(options))));
                    Flux<Payload> capped = CappedDemand.capAfterMarker(
                            stream, WINDOW, p -> isMarker(p) && established.getAsBoolean(), RemoteDaak::unbatch);
                    if (!macs.isEmpty()) {
                        capped = capped.filter(this::authentic).doOnDiscard(Payload.class, Payload::release);
                    }
                    return capped.map(p -> message(p, selector.pattern(), selector.type(), null));
                })
                .onErrorMap(e -> remote(e, null));
    }

    /**
     * A stream of this handle that completes, as an in-process handle's does, when the user closes the
     * handle and the connection goes with it (instead of failing with the connection's end).
     */
    private <T> Flux<T> endingWithTheHandle(Flux<T> stream) {
        return stream.onErrorResume(e -> closing.get() && isConnectionLoss(e), e -> Flux.empty());
    }

    /** Whether a delivered message passes message authentication (see {@link MessageAuthentication}). */
    private boolean authentic(Payload p) {
        Wire.Meta meta;
        try {
            meta = meta(p);
        } catch (RuntimeException e) {
            return true; // malformed metadata: message() reports it
        }
        WireFields f = meta.fieldsOrEmpty();
        if (f.name == null) {
            return true;
        }
        String mime = meta.mimeType() != null ? meta.mimeType() : dataMimeType;
        if (macs.verify(f.name, mime, f.type, f.headers, p.sliceData())) {
            return true;
        }
        log.warn(
                "dropped a message on topic '{}' from {}: its message authentication code is missing or wrong "
                        + "({} rejected so far)",
                f.name,
                uri,
                macs.rejected());
        return false;
    }

    private static WireFields confirmed(SubscribeOptions options) {
        WireFields f = WireFields.of(options);
        f.confirm = true;
        return f;
    }

    /**
     * A stream that outlives its connection: once the node confirmed it, losing the connection
     * re-establishes it (reconnecting, with backoff up to 5 s) instead of failing; the subscriber sees a
     * gap (what was published meanwhile), logged at INFO, and no error. Other errors end it as before.
     *
     * @param what for the log
     * @param attempt makes one attempt; it calls the given supplier (which returns true) when the node
     *     confirmed the stream
     */
    private <T> Flux<T> resilient(
            String what, java.util.function.Function<java.util.function.BooleanSupplier, Flux<T>> attempt) {
        AtomicBoolean established = new AtomicBoolean();
        java.util.function.BooleanSupplier confirm = () -> {
            established.set(true);
            return true;
        };
        return Flux.defer(() -> attempt.apply(confirm))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100))
                        .maxBackoff(Duration.ofSeconds(5))
                        .transientErrors(true)
                        .filter(e -> established.get() && !closing.get() && isConnectionLoss(e))
                        .doBeforeRetry(r -> log.info(
                                "{} at {}: the connection was lost ({}); re-establishing it (attempt {})",
                                what,
                                uri,
                                r.failure().toString(),
                                r.totalRetriesInARow() + 1)))
                .transform(this::endingWithTheHandle);
    }

    /** Whether an error means the connection went away (rather than the node refusing something). */
    static boolean isConnectionLoss(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 5; depth++, t = t.getCause()) {
            if (t instanceof java.nio.channels.ClosedChannelException
                    || t instanceof java.io.IOException
                    || t instanceof io.rsocket.exceptions.ConnectionCloseException
                    || t instanceof io.rsocket.exceptions.ConnectionErrorException
                    || (t instanceof java.util.concurrent.CancellationException && "Disposed".equals(t.getMessage()))) {
                return true;
            }
            if (t instanceof DaakException d
                    && d.getMessage() != null
                    && d.getMessage().startsWith("cannot connect to ")) {
                return true;
            }
        }
        return false;
    }

    /** A subscription that takes batches: demand counts messages, a payload may hold several. */
    private static WireFields batched(SubscribeOptions options) {
        WireFields f = confirmed(options);
        f.batch = Batch.MAX_ENTRIES;
        f.compact = true;
        return f;
    }

    /** The messages a payload from a batched subscription holds (takes ownership of it). */
    private static List<Payload> unbatch(Payload p) {
        int count;
        boolean compact;
        try {
            WireFields f = p.hasMetadata() ? meta(p).fieldsOrEmpty() : null;
            count = f != null ? f.batch : 0;
            compact = f != null && f.compact;
        } catch (RuntimeException e) {
            count = 0; // not ours to judge here: the message decoder reports malformed metadata
            compact = false;
        }
        if (count == 0) {
            return List.of(p);
        }
        try {
            return Batch.split(p, count, compact);
        } catch (IllegalArgumentException e) {
            throw new DaakException("the node sent a malformed batch: " + e.getMessage(), e);
        }
    }

    /** The node's confirmation that a subscription is in place: swallowed (and released) here. */
    private static boolean isMarker(Payload p) {
        WireFields f;
        try {
            f = meta(p).fieldsOrEmpty();
        } catch (RuntimeException e) {
            return false;
        }
        if ("subscribed".equals(f.kind)) {
            p.release();
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ key/value

    @Override
    public <T> Mono<Long> put(Key<T> key, T value, Fields fields) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(fields, "fields");
        String route = Wire.Op.PUT.route(key.name());
        return withSocket(
                        rs -> rs.requestResponse(payload(route, value, key.type(), key.codec(), WireFields.of(fields))))
                .map(p -> json(p).path("revision").asLong())
                .onErrorMap(e -> remote(e, null));
    }

    @Override
    public <T> Mono<Entry<T>> entry(Key<T> key, Fields fields) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fields, "fields");
        String route = Wire.Op.GET.route(key.name());
        return withSocket(rs -> rs.requestResponse(payload(route, null, Object.class, null, WireFields.of(fields))))
                .map(p -> {
                    try {
                        Wire.Meta meta = meta(p);
                        WireFields f = meta.fieldsOrEmpty();
                        T value = decode("key '" + key.name() + "'", p, meta, key.type(), key.codec());
                        Instant ts = f.timestamp();
                        return new Entry<>(key.name(), value, f.seq, ts != null ? ts : Instant.now());
                    } finally {
                        p.release();
                    }
                })
                .onErrorMap(e -> remote(e, null));
    }

    @Override
    public <T> Mono<Boolean> delete(Key<T> key, Fields fields) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fields, "fields");
        String route = Wire.Op.DELETE.route(key.name());
        return withSocket(rs -> rs.requestResponse(payload(route, null, Object.class, null, WireFields.of(fields))))
                .map(p -> json(p).path("deleted").asBoolean())
                .onErrorMap(e -> remote(e, null));
    }

    @Override
    public <T> Flux<Change<T>> watch(Selector<T> selector, SubscribeOptions options) {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(options, "options");
        String route = Wire.Op.WATCH.route(selector.pattern());
        return resilient("watch of '" + selector.pattern() + "'", established -> {
                    Flux<Payload> stream = socket.flatMapMany(
                            rs -> rs.requestStream(payload(route, null, Object.class, null, confirmed(options))));
                    return CappedDemand.capAfterMarker(stream, WINDOW, p -> isMarker(p) && established.getAsBoolean());
                })
                .map(p -> {
                    try {
                        Wire.Meta meta = meta(p);
                        WireFields f = meta.fieldsOrEmpty();
                        String key = f.name != null ? f.name : selector.pattern();
                        Change.Kind kind = f.changeKind();
                        T value = kind == Change.Kind.DELETE
                                ? null
                                : decode("key '" + key + "'", p, meta, selector.type(), null);
                        Instant ts = f.timestamp();
                        return new Change<>(key, kind, value, f.seq, ts != null ? ts : Instant.now());
                    } finally {
                        p.release();
                    }
                })
                .onErrorMap(e -> remote(e, null));
    }

    // ------------------------------------------------------------------ queues

    private static WireFields queueFields(Queue<?> queue, Fields fields) {
        WireFields f = WireFields.of(fields);
        if (!queue.ackTimeout().equals(Queue.DEFAULT_ACK_TIMEOUT)) {
            f.ackTimeoutMillis = Math.max(1, queue.ackTimeout().toMillis());
        }
        if (queue.maxDeliveries() != Queue.DEFAULT_MAX_DELIVERIES) {
            f.maxDeliveries = queue.maxDeliveries();
        }
        if (queue.capacity() != Queue.DEFAULT_CAPACITY) {
            f.queueCapacity = queue.capacity();
        }
        if (!queue.deadLetterTopic().equals(Queue.of(queue.name(), Object.class).deadLetterTopic())) {
            f.deadLetter = queue.deadLetterTopic();
        }
        return f;
    }

    @Override
    public <T> Mono<Void> send(Queue<T> queue, T value, Fields fields) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(fields, "fields");
        String route = Wire.Op.SEND.route(queue.name());
        return withSocket(rs -> rs.requestResponse(
                        payload(route, value, queue.type(), queue.codec(), queueFields(queue, fields))))
                .doOnNext(Payload::release)
                .then()
                .onErrorMap(e -> remote(e, null));
    }

    @Override
    public <T> Flux<Delivery<T>> recv(Queue<T> queue, Fields fields) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(fields, "fields");
        String route = Wire.Op.RECV.route(queue.name());
        return socket.flatMapMany(rs -> {
                    Flux<Payload> stream =
                            rs.requestStream(payload(route, null, Object.class, null, queueFields(queue, fields)));
                    return CappedDemand.cap(stream, WINDOW).map(p -> {
                        long id;
                        int attempt;
                        try {
                            WireFields f = meta(p).fieldsOrEmpty();
                            id = f.id;
                            attempt = f.attempt;
                        } catch (RuntimeException e) {
                            p.release();
                            throw e;
                        }
                        Message<T> m = message(p, queue.name(), queue.type(), queue.codec());
                        return (Delivery<T>) new RemoteDelivery<>(rs, queue.name(), m, id, attempt);
                    });
                })
                .transform(this::endingWithTheHandle)
                .onErrorMap(e -> remote(e, null));
    }

    /** A delivery whose ack and nack go to the node as fire-and-forget frames. */
    private final class RemoteDelivery<T> implements Delivery<T> {
        private final RSocket rs;
        private final String queue;
        private final Message<T> message;
        private final long id;
        private final int attempt;
        private final AtomicBoolean settled = new AtomicBoolean();

        RemoteDelivery(RSocket rs, String queue, Message<T> message, long id, int attempt) {
            this.rs = rs;
            this.queue = queue;
            this.message = message;
            this.id = id;
            this.attempt = attempt;
        }

        @Override
        public Message<T> message() {
            return message;
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public void ack() {
            settle(Wire.Op.ACK);
        }

        @Override
        public void nack() {
            settle(Wire.Op.NACK);
        }

        private void settle(Wire.Op op) {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            WireFields f = new WireFields();
            f.id = id;
            rs.fireAndForget(ByteBufPayload.create(
                            Unpooled.EMPTY_BUFFER, Wire.write(allocator, op.route(queue), null, f)))
                    .subscribe(
                            v -> {},
                            e -> log.warn("{} of delivery {} on '{}' failed: {}", op.wire, id, queue, e.toString()));
        }

        @Override
        public String toString() {
            return "Delivery[" + queue + " #" + id + " attempt " + attempt + "]";
        }
    }

    // ------------------------------------------------------------------ services

    /** A service this client serves, by registration id. */
    record Served<Q, R>(Service<Q, R> service, ServiceHandler<Q, R> handler) {}

    @Nullable
    Served<?, ?> served(long registration) {
        return served.get(registration);
    }

    @Override
    public <Q, R> Mono<Registration> serve(Service<Q, R> service, ServiceHandler<Q, R> handler, Fields fields) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(fields, "fields");
        String route = Wire.Op.SERVE.route(service.name());
        return Mono.create(sink -> {
            long id = REGISTRATION_IDS.incrementAndGet();
            served.put(id, new Served<>(service, handler));
            Disposable.Swap stream = Disposables.swap();
            AtomicBoolean registered = new AtomicBoolean();
            Registration registration = new Registration() {
                @Override
                public String service() {
                    return service.name();
                }

                @Override
                public void dispose() {
                    served.remove(id);
                    stream.dispose();
                }

                @Override
                public boolean isDisposed() {
                    return stream.isDisposed();
                }

                @Override
                public String toString() {
                    return "Registration[" + service.name() + " @ " + uri + "]";
                }
            };
            WireFields f = WireFields.of(fields);
            f.id = id;
            // Once registered, a lost connection registers again on the next one (same id), without an error.
            stream.update(resilient("serving '" + service.name() + "'", established -> socket.flatMapMany(
                                    rs -> rs.requestStream(payload(route, null, Object.class, null, f)))
                            .doOnNext(p -> established.getAsBoolean()))
                    .subscribe(
                            p -> {
                                p.release();
                                if (registered.compareAndSet(false, true)) {
                                    sink.success(registration);
                                }
                            },
                            e -> {
                                served.remove(id);
                                if (registered.compareAndSet(false, true)) {
                                    sink.error(remote(e, service.name()));
                                } else {
                                    log.warn("serving '{}' at {} ended: {}", service.name(), uri, e.toString());
                                }
                            },
                            () -> served.remove(id)));
            sink.onCancel(() -> {
                if (!registered.get()) {
                    registration.dispose();
                }
            });
        });
    }

    @Override
    public <Q, R> Mono<R> request(Service<Q, R> service, Q request, Fields fields) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(fields, "fields");
        String route = Wire.Op.REQUEST.route(service.name());
        return withSocket(rs -> rs.requestResponse(
                        payload(route, request, service.requestType(), service.codec(), WireFields.of(fields))))
                .map(p -> response(service, p))
                .onErrorMap(e -> remote(e, service.name()));
    }

    private <R> R response(Service<?, R> service, Payload p) {
        try {
            return decode("service '" + service.name() + "'", p, meta(p), service.responseType(), service.codec());
        } finally {
            p.release();
        }
    }

    @Override
    public <Q, R> Flux<R> requestStream(Service<Q, R> service, Q request, Fields fields) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(fields, "fields");
        String route = Wire.Op.REQUEST.route(service.name());
        return socket.flatMapMany(rs -> rs.requestStream(
                        payload(route, request, service.requestType(), service.codec(), WireFields.of(fields))))
                .map(p -> response(service, p))
                .onErrorMap(e -> remote(e, service.name()));
    }

    @Override
    public <Q, R> Flux<R> channel(Service<Q, R> service, Publisher<Q> requests, Fields fields) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(fields, "fields");
        String route = Wire.Op.REQUEST.route(service.name());
        return socket.flatMapMany(rs -> {
                    AtomicBoolean first = new AtomicBoolean(true);
                    Flux<Payload> out = Flux.from(requests).map(q -> {
                        boolean head = first.compareAndSet(true, false);
                        return payload(
                                head ? route : null,
                                q,
                                service.requestType(),
                                service.codec(),
                                head ? WireFields.of(fields) : new WireFields());
                    });
                    return rs.requestChannel(out.doOnDiscard(Payload.class, Payload::release));
                })
                .map(p -> response(service, p))
                .onErrorMap(e -> remote(e, service.name()));
    }

    /** The error a serving client sends back for a handler failure: its message, unprefixed. */
    static Throwable handlerFailure(Throwable e) {
        return new ApplicationErrorException(e.getMessage() != null ? e.getMessage() : e.toString());
    }

    @Override
    public void close() {
        if (closing.compareAndSet(false, true)) {
            drainPublications();
            closed.set(true);
            served.clear();
            synchronized (events) {
                events.tryEmitComplete();
            }
            RSocket rs = current;
            SessionProbe session = probe;
            if (session != null && rs != null && !rs.isDisposed()) {
                session.goodbye(); // the node frees the resumable session now, not after it expires
            }
            if (rs != null) {
                rs.dispose();
            }
        }
    }

    /**
     * Lets what publications queued reach the node before the connection goes (bounded by
     * {@link #CLOSE_DRAIN}); on an event-loop thread, which must not wait, it only warns.
     */
    private void drainPublications() {
        List<PublishChannel> open = new ArrayList<>(channels);
        channels.clear();
        int unanswered = open.stream().mapToInt(PublishChannel::unanswered).sum();
        if (unanswered == 0) {
            return;
        }
        if (Schedulers.isInNonBlockingThread()) {
            log.warn(
                    "closing {} on a non-blocking thread with {} publishes not yet confirmed by the node; "
                            + "close from a thread that may wait to let them finish",
                    this,
                    unanswered);
            return;
        }
        try {
            java.util.concurrent.CompletableFuture.allOf(open.stream()
                            .map(PublishChannel::whenIdle)
                            .toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(CLOSE_DRAIN.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn(
                    "closing {}: {} publishes were not confirmed by the node within {}",
                    this,
                    open.stream().mapToInt(PublishChannel::unanswered).sum(),
                    CLOSE_DRAIN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            log.debug("draining publications failed: {}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "Daak[" + uri + "]";
    }
}
