package io.daak.rsocket;

import io.daak.core.Change;
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
import io.daak.core.Registration;
import io.daak.core.Selector;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.daak.core.Topic;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.RSocketErrorException;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.util.ByteBufPayload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;

/**
 * One client connection at the node: answers the client's requests by route against the node's
 * engine, and forwards other clients' requests for the services this client serves to it.
 *
 * <p>Thread-safe: RSocket calls it from the connection's event loop, the engine from publishers'
 * threads.
 */
final class NodeConnection implements RSocket {

    private static final Logger log = LoggerFactory.getLogger(NodeConnection.class);
    private static final AtomicLong DELIVERY_IDS = new AtomicLong();

    private final Daak engine;
    private final RSocket peer;
    private final String peerName;
    private final String dataMimeType;
    private final ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
    private final Map<Long, Pending> deliveries = new ConcurrentHashMap<>();
    private final Set<Registration> registrations = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** An unacknowledged queue delivery, and the ids of the stream that holds it. */
    private record Pending(Delivery<Encoded> delivery, Set<Long> stream) {}

    NodeConnection(Daak engine, RSocket peer, String peerName, String dataMimeType) {
        this.engine = engine;
        this.peer = peer;
        this.peerName = peerName;
        this.dataMimeType = dataMimeType;
    }

    /** The connection closed: its services stop at once; its unacked deliveries go back to their queues. */
    void closed() {
        if (closed.compareAndSet(false, true)) {
            registrations.forEach(Registration::dispose);
            registrations.clear();
            deliveries.values().forEach(p -> p.delivery().nack());
            deliveries.clear();
            log.debug("connection {} closed", peerName);
        }
    }

    // ------------------------------------------------------------------ interactions

    @Override
    public Mono<Void> fireAndForget(Payload payload) {
        Request r;
        try {
            r = Request.of(payload, dataMimeType);
        } catch (RuntimeException e) {
            log.warn("fire-and-forget from {} refused: {}", peerName, e.getMessage());
            return Mono.error(Wire.toWire(e));
        }
        // Deferred: names and fields are checked while the work is assembled; their errors become signals.
        Mono<?> work = Mono.defer(() -> switch (r.route.op()) {
            case PUBLISH -> r.fields.batch > 0 ? publishBatch(r) : publish(r);
            case SEND -> send(r);
            case ACK, NACK -> settle(r);
            default -> Mono.error(notFor(r, "fire-and-forget", "publish, send, ack, nack"));
        });
        return work.onErrorResume(e -> {
                    log.warn("fire-and-forget {} from {} failed: {}", r.routeText(), peerName, e.getMessage());
                    return Mono.empty();
                })
                .then();
    }

    @Override
    public Mono<Payload> requestResponse(Payload payload) {
        Request r;
        try {
            r = Request.of(payload, dataMimeType);
        } catch (RuntimeException e) {
            return Mono.error(Wire.toWire(e));
        }
        // Assembled here (rsocket-java subscribes at once): an invalid name or field (e.g. publish/a/*) is
        // thrown while the work is assembled and must reach the client as an [invalid] error frame like
        // every other failure.
        Mono<Payload> work;
        try {
            work = switch (r.route.op()) {
                case PUBLISH -> publish(r).map(this::result);
                case PUT -> put(r);
                case GET -> get(r);
                case DELETE -> delete(r);
                case SEND -> send(r).then(Mono.fromSupplier(() -> ByteBufPayload.create(Unpooled.EMPTY_BUFFER)));
                case ACK, NACK -> settle(r).then(Mono.fromSupplier(() -> ByteBufPayload.create(Unpooled.EMPTY_BUFFER)));
                case REQUEST -> request(r);
                default ->
                    Mono.error(notFor(r, "request-response", "publish, put, get, delete, send, ack, nack, request"));
            };
        } catch (RuntimeException e) {
            return Mono.error(Wire.toWire(e));
        }
        return work.onErrorMap(Wire::toWire);
    }

    @Override
    public Flux<Payload> requestStream(Payload payload) {
        Request r;
        try {
            r = Request.of(payload, dataMimeType);
        } catch (RuntimeException e) {
            return Flux.error(Wire.toWire(e));
        }
        // Deferred: invalid names and fields (e.g. start=yesterday) become [invalid] error frames.
        Flux<Payload> work = Flux.defer(() -> switch (r.route.op()) {
            case SUBSCRIBE -> subscribe(r);
            case WATCH -> watch(r);
            case RECV -> recv(r);
            case SERVE -> serve(r);
            case REQUEST -> requestStream(r);
            default -> Flux.error(notFor(r, "request-stream", "subscribe, watch, recv, serve, request"));
        });
        return work.onErrorMap(Wire::toWire);
    }

    @Override
    public Flux<Payload> requestChannel(Publisher<Payload> payloads) {
        // One hook for the whole channel (hooks compose, so a second one would release twice): an
        // answer that an operator drops after a cancel or an error (the answers' Flux.create, concatMap,
        // switchOnFirst) is released, not leaked; rsocket-java releases what it drops itself.
        return Flux.from(payloads).switchOnFirst(this::channel).doOnDiscard(Payload.class, Payload::release);
    }

    /** A request-channel once its first payload is known: the route it names, fed {@code all} payloads. */
    private Flux<Payload> channel(Signal<? extends Payload> first, Flux<Payload> all) {
        Payload head = first.get();
        if (head == null) {
            return Flux.empty();
        }
        Request r;
        try {
            r = Request.of(head.retain(), dataMimeType);
        } catch (RuntimeException e) {
            return Flux.<Payload>error(Wire.toWire(e)).doOnSubscribe(s -> all.subscribe(Payload::release));
        }
        if (r.route.op() == Wire.Op.PUBLISH && r.fields.batch > 0) {
            // A channel of batches: every payload (the first included) holds entries.
            AtomicBoolean atBatchHead = new AtomicBoolean(true);
            Flux<Items> batches = all.map(p -> {
                try {
                    return atBatchHead.compareAndSet(true, false)
                            ? new Items(
                                    items(r.value().wrap(), r.fields.batch, r.fields.compact),
                                    r.fields.acks,
                                    r.fields.runs)
                            : batchItems(p);
                } finally {
                    p.release();
                }
            });
            Flux<Payload> work;
            try {
                work = publishBatches(r, batches);
            } catch (RuntimeException e) {
                batches.subscribe(v -> {}, x -> {});
                work = Flux.error(e);
            }
            return work.onErrorMap(Wire::toWire);
        }
        // Every payload (the first included) carries a value; only the first carries the route.
        // Payload objects are recycled once released: tell the first apart by position, not identity.
        AtomicBoolean atHead = new AtomicBoolean(true);
        Flux<Encoded> values = all.map(p -> {
            try {
                return atHead.compareAndSet(true, false) ? r.value : Request.value(p, dataMimeType);
            } finally {
                p.release();
            }
        });
        if (r.route.op() == Wire.Op.PUBLISH) {
            // Each payload's own fields (headers, sender, ...) go with its value.
            AtomicBoolean atItemHead = new AtomicBoolean(true);
            Flux<Item> items = all.map(p -> {
                try {
                    return atItemHead.compareAndSet(true, false)
                            ? new Item(r.value, r.fields.toFields())
                            : items(p).get(0);
                } finally {
                    p.release();
                }
            });
            Flux<Payload> work;
            try {
                work = publishChannel(r, items);
            } catch (RuntimeException e) {
                items.subscribe(v -> {}, x -> {});
                work = Flux.error(e);
            }
            return work.onErrorMap(Wire::toWire);
        }
        Flux<Payload> work;
        try {
            work = switch (r.route.op()) {
                case REQUEST -> requestChannel(r, values);
                default -> throw notFor(r, "request-channel", "publish, request");
            };
        } catch (RuntimeException e) {
            // An invalid route, name or field: drain (and release) the payloads, answer [invalid].
            values.subscribe(v -> {}, x -> {});
            work = Flux.error(e);
        }
        return work.onErrorMap(Wire::toWire);
    }

    private static IllegalArgumentException notFor(Request r, String interaction, String ops) {
        return new IllegalArgumentException("route '" + r.routeText() + "' is not for " + interaction + "; with "
                + interaction + " use the operations " + ops + " (see docs/wire.md)");
    }

    // ------------------------------------------------------------------ publish / subscribe

    private Mono<PublishResult> publish(Request r) {
        return engine.publish(Topic.of(r.route.name(), Encoded.class), r.value(), r.fields.toFields());
    }

    /**
     * Batches a publish channel may have in flight to the node. Small: the entries of a batch are
     * published in one go, so what arrives together is a burst every subscriber's buffer must absorb
     * (two batches are at most 512 messages, half the default buffer). Asking for the next batch as
     * each one is taken (three at the node at times) made one publisher about 10 % faster, but a
     * subscriber with the default buffer then fell behind a {@code publishAll} now and then.
     */
    private static final int BATCH_PREFETCH = 2;

    /** One value of a batch with its fields. */
    private record Item(Encoded value, Fields fields) {}

    /**
     * A batch's items, whether its publisher wants only acknowledgements (fields {@code acks}) and
     * whether it reads runs of results (fields {@code runs}).
     */
    private record Items(List<Item> items, boolean acksOnly, boolean runs) {}

    /**
     * The values of a payload: its entries when its fields announce a batch, else its one value.
     * Reads {@code p} (not released).
     */
    private List<Item> items(Payload p) {
        Wire.Meta meta = Wire.read(p.hasMetadata() ? p.sliceMetadata() : null);
        WireFields f = meta.fieldsOrEmpty();
        if (f.batch == 0) {
            return List.of(new Item(
                    Encoded.copy(p.sliceData(), meta.mimeType() != null ? meta.mimeType() : dataMimeType, f.type),
                    f.toFields()));
        }
        return items(p.sliceData(), f.batch, f.compact);
    }

    /** A payload of a channel of batches: its items, and whether only acknowledgements are wanted. */
    private Items batchItems(Payload p) {
        Wire.Meta meta = Wire.read(p.hasMetadata() ? p.sliceMetadata() : null);
        WireFields f = meta.fieldsOrEmpty();
        return f.batch == 0
                ? new Items(items(p), false, false)
                : new Items(items(p.sliceData(), f.batch, f.compact), f.acks, f.runs);
    }

    /**
     * The values of a batch's entries.
     *
     * @param compact whether the entries' metadata is compact ({@link CompactEntry#readPublish}), else
     *     composite metadata
     */
    private List<Item> items(ByteBuf data, int count, boolean compact) {
        List<Item> items = new ArrayList<>(count);
        byte[] batch = BatchCopy.of(data);
        Batch.walk(batch, data.readableBytes(), count, (k, metadataAt, metadataLength, dataAt, dataLength) -> {
            Wire.Meta meta;
            try {
                meta = compact
                        ? CompactEntry.readPublish(batch, metadataAt, metadataLength)
                        : Wire.read(Unpooled.wrappedBuffer(batch, metadataAt, metadataLength));
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException("batch entry " + k + ": " + x.getMessage(), x);
            }
            WireFields f = meta.fieldsOrEmpty();
            byte[] value = java.util.Arrays.copyOfRange(batch, dataAt, dataAt + dataLength);
            String mime = meta.mimeType() != null ? meta.mimeType() : dataMimeType;
            items.add(new Item(new Encoded(value, mime, f.type), f.toFields()));
        });
        return items;
    }

    /**
     * The entries of a batch published fire-and-forget, in order; subscribers that take batches get
     * what this delivers to them in as few payloads as possible.
     */
    private Mono<Void> publishBatch(Request r) {
        Topic<Encoded> topic = Topic.of(r.route.name(), Encoded.class);
        List<Item> items = items(r.value().wrap(), r.fields.batch, r.fields.compact);
        return Batching.deferring(Flux.fromIterable(items)
                .concatMap(it -> engine.publish(topic, it.value(), it.fields()))
                .then());
    }

    /**
     * A channel of batches (its first payload announces one): each batch's entries are published in
     * order and answered with one JSON array of results, where a failed entry is {@code {"error": ...}}
     * and the channel goes on. A small prefetch of batches: a blocked topic soon stops the publisher.
     */
    private Flux<Payload> publishBatches(Request r, Flux<Items> batches) {
        Topic<Encoded> topic = Topic.of(r.route.name(), Encoded.class);
        // Entries whose results are not wanted go through the engine's direct path when they can.
        Publication<Encoded> direct = directPublication(topic);
        return batches.concatMap(
                b -> Flux.<Payload>create(sink -> Batching.deferring(() -> publishFrom(
                        topic, b.items(), 0, sink, new Answer(b.acksOnly() ? direct : null, b.acksOnly(), b.runs())))),
                BATCH_PREFETCH);
    }

    /** The engine's publication of a topic, or null when this connection may not have one. */
    private @Nullable Publication<Encoded> directPublication(Topic<Encoded> topic) {
        try {
            return engine.publication(topic);
        } catch (RuntimeException e) {
            return null; // e.g. denied: each publish then fails with its own clear error
        }
    }

    /**
     * The results of a batch's publishes as one JSON array; with {@code acksOnly}, a run of successful
     * publishes is written as its length; with {@code runs}, consecutive results of one topic whose
     * sequences follow each other and whose counts are equal are written as one result with a
     * {@code count}. Not thread-safe: one batch at a time.
     */
    private static final class Answer {
        /** When only acknowledgements are wanted: publishes that need not wait go through it, else null. */
        final @Nullable Publication<Encoded> direct;

        final boolean acksOnly;
        private final boolean runs;
        private final StringBuilder json = new StringBuilder();
        private int succeeded;

        /** The run of results not written yet: its first result and its length (1 without runs). */
        private @Nullable PublishResult run;

        private int runLength;

        Answer(@Nullable Publication<Encoded> direct, boolean acksOnly, boolean runs) {
            this.direct = direct;
            this.acksOnly = acksOnly;
            this.runs = runs;
        }

        /** A successful publish whose result is not wanted. */
        void acknowledged() {
            succeeded++;
        }

        /** A successful publish; its result is written unless only acknowledgements are wanted. */
        void add(PublishResult result) {
            if (acksOnly) {
                acknowledged();
                return;
            }
            PublishResult r = run;
            if (runs
                    && r != null
                    && r.sequence() + runLength == result.sequence()
                    && r.matched() == result.matched()
                    && r.dropped() == result.dropped()
                    && r.topic().equals(result.topic())) {
                runLength++;
                return;
            }
            flush(); // without runs, every run is one result long
            run = result;
            runLength = 1;
        }

        /** A failed publish, as its JSON error object. */
        void failed(String error) {
            flush();
            item(error);
        }

        boolean isEmpty() {
            return succeeded == 0 && run == null && json.length() == 0;
        }

        /** The array so far; the answer starts empty again. */
        String take() {
            flush();
            String out = "[" + json + "]";
            json.setLength(0);
            return out;
        }

        private void flush() {
            if (succeeded > 0) {
                item(Integer.toString(succeeded));
                succeeded = 0;
            }
            PublishResult r = run;
            if (r != null) {
                item(resultJson(r, runLength));
                run = null;
                runLength = 0;
            }
        }

        private void item(String s) {
            if (json.length() > 0) {
                json.append(',');
            }
            json.append(s);
        }
    }

    /**
     * Publishes {@code items} from index {@code from} on, in order. Results of publishes that complete
     * at once are answered together; when one has to wait (a full BLOCK subscriber), what is answered
     * so far leaves first, so the publisher learns of every publish as soon as it is done.
     */
    private void publishFrom(Topic<Encoded> topic, List<Item> items, int from, FluxSink<Payload> sink, Answer answer) {
        for (int k = from; k < items.size(); k++) {
            Item it = items.get(k);
            int next = k + 1;
            if (answer.direct != null) {
                try {
                    if (answer.direct.tryPublish(it.value(), it.fields())) {
                        answer.acknowledged();
                        continue;
                    }
                    // A BLOCK subscriber is full: this one waits below, as a publish does.
                } catch (RuntimeException e) {
                    answer.failed(errorJson(e));
                    continue;
                }
            }
            AtomicInteger state = new AtomicInteger(); // 0 running, 1 done at once, 2 the loop moved on
            Object[] outcome = new Object[1]; // the PublishResult, or the error's JSON
            java.util.function.Consumer<Object> done = o -> {
                outcome[0] = o;
                if (!state.compareAndSet(0, 1)) {
                    // Finished later: go on from here (on this thread), starting a new answer.
                    answer(answer, o);
                    Batching.deferring(() -> publishFrom(topic, items, next, sink, answer));
                }
            };
            try {
                engine.publish(topic, it.value(), it.fields()).subscribe(done, e -> done.accept(errorJson(e)));
            } catch (RuntimeException e) {
                done.accept(errorJson(e));
            }
            if (state.compareAndSet(0, 2)) {
                if (!answer.isEmpty()) {
                    sink.next(json(answer.take()));
                }
                return;
            }
            answer(answer, outcome[0]);
        }
        if (!answer.isEmpty()) {
            sink.next(json(answer.take()));
        }
        sink.complete();
    }

    private static void answer(Answer answer, Object outcome) {
        if (outcome instanceof PublishResult r) {
            answer.add(r);
        } else {
            answer.failed((String) outcome);
        }
    }

    private String errorJson(Throwable e) {
        StringBuilder b = new StringBuilder(80).append("{\"error\":");
        String message = Wire.toWire(e).getMessage();
        WireFields.quote(b, message != null ? message : e.toString());
        return b.append('}').toString();
    }

    private Flux<Payload> publishChannel(Request r, Flux<Item> values) {
        Topic<Encoded> topic = Topic.of(r.route.name(), Encoded.class);
        // A bounded prefetch: when the topic blocks (a BLOCK subscriber is full), the node stops asking
        // the remote publisher for more, so the publisher's own stream waits.
        return values.concatMap(it -> engine.publish(topic, it.value(), it.fields()), 256)
                .map(this::result);
    }

    private Payload result(PublishResult p) {
        return json(resultJson(p, 1));
    }

    /** A result as JSON; {@code count} above 1 stands for that many with the sequences that follow. */
    private static String resultJson(PublishResult p, int count) {
        StringBuilder b = new StringBuilder(96);
        b.append("{\"topic\":");
        WireFields.quote(b, p.topic());
        b.append(",\"sequence\":").append(p.sequence());
        b.append(",\"matched\":").append(p.matched());
        b.append(",\"dropped\":").append(p.dropped());
        if (count > 1) {
            b.append(",\"count\":").append(count);
        }
        return b.append('}').toString();
    }

    private Payload json(CharSequence text) {
        ByteBuf data = allocator.buffer(text.length());
        ByteBufUtil.writeUtf8(data, text);
        return ByteBufPayload.create(data, jsonMime());
    }

    /**
     * The composite metadata that says a reply is JSON, made once: direct (a socket writes it as it is)
     * and never freed; each reply holds a duplicate, whose release does nothing.
     */
    private static final ByteBuf JSON_MIME = jsonMimeMetadata();

    private static ByteBuf jsonMimeMetadata() {
        ByteBuf b = java.util.Objects.requireNonNull(Wire.write(ByteBufAllocator.DEFAULT, null, Wire.JSON, null));
        try {
            return Unpooled.unreleasableBuffer(
                    Unpooled.directBuffer(b.readableBytes()).writeBytes(b).asReadOnly());
        } finally {
            b.release();
        }
    }

    private @Nullable ByteBuf jsonMime() {
        return Wire.JSON.equals(dataMimeType) ? null : JSON_MIME.duplicate();
    }

    private Flux<Payload> subscribe(Request r) {
        Selector<Encoded> selector = Selector.of(r.route.name(), Encoded.class);
        Flux<Message<Encoded>> messages = engine.subscribe(selector, r.fields.toSubscribeOptions());
        return confirmed(
                r,
                r.fields.batch > 1
                        ? Batching.batch(messages, r.fields.compact ? compactEncoder : encoder, r.fields.batch)
                        : messages.map(this::message));
    }

    /**
     * When the request asks for it ({@code confirm}), sends an empty payload of kind {@code subscribed}
     * first, after the engine has registered the subscription (which it does on subscribe), so that the
     * client knows from when on it receives what is published.
     */
    private Flux<Payload> confirmed(Request r, Flux<Payload> live) {
        if (!r.fields.confirm) {
            return live;
        }
        return Flux.from(s -> live.subscribe(new Confirming(s, this::subscribedMarker)));
    }

    private Payload subscribedMarker() {
        WireFields f = new WireFields();
        f.kind = "subscribed";
        return ByteBufPayload.create(Unpooled.EMPTY_BUFFER, Wire.write(allocator, null, null, f));
    }

    /** Bytes of the per-thread arrays for batches: the largest batch and room for its last entry. */
    private static final int BATCH_ARRAY = Batch.MAX_BYTES + 16 * 1024;

    /**
     * A batch's data copied into an array this thread reuses (a batch is read at once, and what its
     * entries keep is copied out of it), or a new array for the rare batch larger than that.
     */
    private static final class BatchCopy {
        private static final io.netty.util.concurrent.FastThreadLocal<byte[]> ARRAY =
                PerThread.of(() -> new byte[BATCH_ARRAY]);

        static byte[] of(ByteBuf data) {
            int n = data.readableBytes();
            if (n > BATCH_ARRAY) {
                return io.netty.buffer.ByteBufUtil.getBytes(data);
            }
            byte[] a = ARRAY.get();
            data.getBytes(data.readerIndex(), a, 0, n);
            return a;
        }
    }

    /** Where this thread builds the batches it sends: grown once, copied out once per batch. */
    private static final io.netty.util.concurrent.FastThreadLocal<FlatJson.Out> BATCH_SCRATCH =
            PerThread.of(() -> new FlatJson.Out(BATCH_ARRAY));

    /** Messages to a subscriber that takes batches, with JSON fields per entry or compact entries. */
    private final class BatchEncoder implements Batching.Encoder {
        private final boolean compact;

        BatchEncoder(boolean compact) {
            this.compact = compact;
        }

        @Override
        public Payload single(Message<Encoded> m) {
            return message(m);
        }

        @Override
        public void add(Batch.Writer batch, Message<Encoded> m) {
            Encoded v = m.value();
            String mime = v.mimeType().equals(dataMimeType) ? null : v.mimeType();
            if (compact) {
                batch.addCompact(m, mime, v.type(), v.bytes());
            } else {
                batch.add(mime, WireFields.ofMessage(m, v.type()), v.bytes());
            }
        }

        @Override
        public Payload finish(Batch.Writer batch) {
            WireFields f = new WireFields();
            f.batch = batch.count();
            f.compact = compact;
            return batch.payload(Wire.write(allocator, null, null, f));
        }

        @Override
        public Batch.Writer writer() {
            return new Batch.Writer(BATCH_SCRATCH.get());
        }
    }

    private final Batching.Encoder encoder = new BatchEncoder(false);

    private final Batching.Encoder compactEncoder = new BatchEncoder(true);

    private Payload message(Message<Encoded> m) {
        Encoded v = m.value();
        WireFields f = WireFields.ofMessage(m, v.type());
        return payload(v, f);
    }

    private Payload payload(Encoded v, WireFields f) {
        String mime = v.mimeType().equals(dataMimeType) ? null : v.mimeType();
        ByteBuf metadata = Wire.write(allocator, null, mime, f);
        return ByteBufPayload.create(v.wrap(), metadata);
    }

    // ------------------------------------------------------------------ key/value

    private Mono<Payload> put(Request r) {
        return engine.put(Key.of(r.route.name(), Encoded.class), r.value(), r.fields.toFields())
                .map(rev -> json("{\"revision\":" + rev + "}"));
    }

    private Mono<Payload> get(Request r) {
        return engine.entry(Key.of(r.route.name(), Encoded.class), r.fields.toFields())
                .map(this::entry);
    }

    private Payload entry(Entry<Encoded> e) {
        WireFields f = new WireFields();
        f.name = e.key();
        f.seq = e.revision();
        f.timestamp(e.timestamp());
        f.type = e.value().type();
        return payload(e.value(), f);
    }

    private Mono<Payload> delete(Request r) {
        return engine.delete(Key.of(r.route.name(), Encoded.class), r.fields.toFields())
                .map(d -> json("{\"deleted\":" + d + "}"));
    }

    private Flux<Payload> watch(Request r) {
        Selector<Encoded> selector = Selector.of(r.route.name(), Encoded.class);
        return confirmed(
                r, engine.watch(selector, r.fields.toSubscribeOptions()).map(this::change));
    }

    private Payload change(Change<Encoded> c) {
        WireFields f = new WireFields();
        f.name = c.key();
        f.seq = c.revision();
        f.timestamp(c.timestamp());
        f.kind = c.kind() == Change.Kind.PUT ? "put" : "delete";
        Encoded v = c.value();
        if (v == null) {
            return ByteBufPayload.create(Unpooled.EMPTY_BUFFER, Wire.write(allocator, null, null, f));
        }
        f.type = v.type();
        return payload(v, f);
    }

    // ------------------------------------------------------------------ queues

    private Queue<Encoded> queue(Request r) {
        Queue<Encoded> q = Queue.of(r.route.name(), Encoded.class);
        WireFields f = r.fields;
        if (f.ackTimeoutMillis > 0) {
            q = q.withAckTimeout(Duration.ofMillis(f.ackTimeoutMillis));
        }
        if (f.maxDeliveries > 0) {
            q = q.withMaxDeliveries(f.maxDeliveries);
        }
        if (f.queueCapacity > 0) {
            q = q.withCapacity(f.queueCapacity);
        }
        if (f.deadLetter != null) {
            q = q.withDeadLetterTopic(f.deadLetter);
        }
        return q;
    }

    private Mono<Void> send(Request r) {
        return engine.send(queue(r), r.value(), r.fields.toFields());
    }

    private Flux<Payload> recv(Request r) {
        Queue<Encoded> queue = queue(r);
        Set<Long> mine = ConcurrentHashMap.newKeySet();
        return engine.recv(queue, r.fields.toFields())
                .map(d -> {
                    long id = DELIVERY_IDS.incrementAndGet();
                    mine.add(id);
                    deliveries.put(id, new Pending(d, mine));
                    Message<Encoded> m = d.message();
                    WireFields f = WireFields.ofMessage(m, m.value().type());
                    f.id = id;
                    f.attempt = d.attempt();
                    return payload(m.value(), f);
                })
                .doFinally(s -> {
                    // The engine takes back what the cancelled receiver held; forget their ids.
                    for (Long id : mine) {
                        deliveries.remove(id);
                    }
                });
    }

    private Mono<Void> settle(Request r) {
        long id = r.fields.id;
        Pending p = deliveries.remove(id);
        if (p == null) {
            return Mono.error(new IllegalArgumentException("queue '" + r.route.name() + "' has no delivery id=" + id
                    + " outstanding on this connection (already settled, redelivered after its ack timeout, or "
                    + "received on another connection)"));
        }
        p.stream().remove(id);
        if (r.route.op() == Wire.Op.ACK) {
            p.delivery().ack();
        } else {
            p.delivery().nack();
        }
        return Mono.empty();
    }

    // ------------------------------------------------------------------ services

    private Mono<Payload> request(Request r) {
        return engine.request(service(r), r.value(), r.fields.toFields()).map(v -> payload(v, typeOnly(v)));
    }

    private Flux<Payload> requestStream(Request r) {
        return engine.requestStream(service(r), r.value(), r.fields.toFields()).map(v -> payload(v, typeOnly(v)));
    }

    private Flux<Payload> requestChannel(Request r, Flux<Encoded> values) {
        return engine.channel(service(r), values, r.fields.toFields()).map(v -> payload(v, typeOnly(v)));
    }

    private static WireFields typeOnly(Encoded v) {
        WireFields f = new WireFields();
        f.type = v.type();
        return f;
    }

    private static Service<Encoded, Encoded> service(Request r) {
        return Service.of(r.route.name(), Encoded.class, Encoded.class);
    }

    private Flux<Payload> serve(Request r) {
        String name = r.route.name();
        long id = r.fields.id;
        Service<Encoded, Encoded> service = Service.of(name, Encoded.class, Encoded.class);
        Forward forward = new Forward(name, id);
        return Flux.usingWhen(
                engine.serve(service, forward, r.fields.toFields()).doOnNext(registrations::add),
                reg -> {
                    if (closed.get()) {
                        reg.dispose();
                    }
                    return Flux.concat(
                            Mono.fromSupplier(() -> json("{\"registered\":" + quoted(name) + "}")), Flux.never());
                },
                reg -> Mono.fromRunnable(() -> {
                    registrations.remove(reg);
                    reg.dispose();
                }));
    }

    private static String quoted(String s) {
        StringBuilder b = new StringBuilder();
        WireFields.quote(b, s);
        return b.toString();
    }

    /** Hands requests for a service to the client connection that serves it. */
    private final class Forward implements ServiceHandler<Encoded, Encoded> {
        private final String service;
        private final long registration;

        Forward(String service, long registration) {
            this.service = service;
            this.registration = registration;
        }

        private Payload out(Message<Encoded> m, boolean routed) {
            WireFields f = WireFields.ofMessage(m, m.value().type());
            f.id = registration;
            f.name = null;
            f.seq = 0;
            String mime =
                    m.value().mimeType().equals(dataMimeType) ? null : m.value().mimeType();
            ByteBuf metadata = Wire.write(allocator, routed ? Wire.Op.REQUEST.route(service) : null, mime, f);
            return ByteBufPayload.create(m.value().wrap(), metadata);
        }

        private Encoded in(Payload p) {
            try {
                return Request.value(p, dataMimeType);
            } finally {
                p.release();
            }
        }

        private Throwable failed(Throwable e) {
            if (closed.get()
                    || peer.isDisposed()
                    || e instanceof io.rsocket.exceptions.ConnectionErrorException
                    || e instanceof io.rsocket.exceptions.ConnectionCloseException
                    || e instanceof java.nio.channels.ClosedChannelException) {
                return new DaakException(
                        "its server (connection " + peerName + ") disconnected while handling the request", e);
            }
            if (e instanceof ApplicationErrorException) {
                return new DaakException(e.getMessage() != null ? e.getMessage() : "failed", e);
            }
            if (e instanceof RSocketErrorException) {
                return new DaakException(e.getMessage() != null ? e.getMessage() : e.toString(), e);
            }
            return new DaakException(
                    "its server (connection " + peerName + ") disconnected while handling the request: " + e, e);
        }

        @Override
        public Mono<Encoded> request(Message<Encoded> request) {
            return Mono.defer(() -> peer.requestResponse(out(request, true)))
                    .map(this::in)
                    .onErrorMap(this::failed);
        }

        @Override
        public Flux<Encoded> stream(Message<Encoded> request) {
            return Flux.defer(() -> peer.requestStream(out(request, true)))
                    .map(this::in)
                    .onErrorMap(this::failed);
        }

        @Override
        public Flux<Encoded> channel(String name, Flux<Message<Encoded>> requests) {
            AtomicBoolean first = new AtomicBoolean(true);
            Flux<Payload> out = requests.map(m -> out(m, first.compareAndSet(true, false)));
            return Flux.defer(() -> peer.requestChannel(out.doOnDiscard(Payload.class, Payload::release)))
                    .map(this::in)
                    .onErrorMap(this::failed);
        }
    }

    // ------------------------------------------------------------------ parsing

    /** A request's route, fields and value, read (and its payload released) at once. */
    private static final class Request {
        final Wire.Route route;
        final WireFields fields;
        final Encoded value;

        private Request(Wire.Route route, WireFields fields, Encoded value) {
            this.route = route;
            this.fields = fields;
            this.value = value;
        }

        /** Reads and releases the payload. */
        static Request of(Payload p, String dataMimeType) {
            try {
                Wire.Meta meta = Wire.read(p.hasMetadata() ? p.sliceMetadata() : null);
                Wire.Route route = Wire.Route.parse(meta.route());
                WireFields fields = meta.fieldsOrEmpty();
                ByteBuf data = p.sliceData();
                Encoded value =
                        Encoded.copy(data, meta.mimeType() != null ? meta.mimeType() : dataMimeType, fields.type);
                return new Request(route, fields, value);
            } finally {
                p.release();
            }
        }

        /** Reads a value from a payload (not released). */
        static Encoded value(Payload p, String dataMimeType) {
            Wire.Meta meta = Wire.read(p.hasMetadata() ? p.sliceMetadata() : null);
            WireFields fields = meta.fieldsOrEmpty();
            return Encoded.copy(p.sliceData(), meta.mimeType() != null ? meta.mimeType() : dataMimeType, fields.type);
        }

        Encoded value() {
            return value;
        }

        String routeText() {
            return route.op().wire + "/" + route.name();
        }
    }

    @Override
    public void dispose() {
        closed();
    }

    @Override
    public String toString() {
        return "NodeConnection[" + peerName + "]";
    }
}
