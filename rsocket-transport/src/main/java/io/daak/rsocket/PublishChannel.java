package io.daak.rsocket;

import io.daak.core.DaakException;
import io.daak.core.PublishResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.Payload;
import io.rsocket.exceptions.ApplicationErrorException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;

/**
 * The publishes of one {@link io.daak.core.Publication} ({@code tryPublish} and {@code publish}) as
 * one request-channel of {@link Batch batches}: calls made while the node is busy leave together, in
 * call order, and the node's demand on the channel is the publisher's flow control (a node that
 * stops asking, e.g. for a full {@code BLOCK} subscriber, makes {@code tryPublish} return false once
 * {@value #MAX_PENDING} publishes wait here). The node answers each batch with a JSON array of one
 * result per entry, in order, which completes the {@code publish} calls' results.
 *
 * <p>A publication's channel outlives a lost connection: what was sent and not yet answered goes
 * back to the front of the queue, and the channel opens again (backoff up to 2 s) for as long as
 * {@value #RESEND_WINDOW_SECONDS} s, so that no accepted publish vanishes; only then do waiting
 * {@code publish} calls fail and unconfirmed {@code tryPublish} calls get reported (at least once: a
 * publish the node did but could not answer is sent again).
 *
 * <p>Thread-safe: state under this object's monitor, emission serialised by an {@code emitting} flag.
 */
final class PublishChannel implements Publisher<Payload> {

    /**
     * One publish as it goes into a batch: its compact metadata ({@link CompactEntry#publishMetadata})
     * and its encoded value, both owned by whoever holds the entry.
     */
    record Entry(ByteBuf metadata, ByteBuf data) {
        void release() {
            metadata.release();
            data.release();
        }
    }

    private static final Logger log = LoggerFactory.getLogger(PublishChannel.class);
    private static final Object FIRE_AND_FORGET = new Object();

    /** At most this many publishes wait for the node's demand; more are refused. */
    static final int MAX_PENDING = 4096;

    /** How long a publication's channel keeps trying to reach the node again after losing it. */
    static final long RESEND_WINDOW_SECONDS = 30;

    /** Opens one attempt of the request-channel: the payloads to send, the node's answers. */
    private final @Nullable Function<Publisher<Payload>, Flux<Payload>> opener;

    /** Whether the channel should stop trying again (its handle is closing). */
    private final java.util.function.BooleanSupplier stopped;

    private final String topic;
    private final String route;
    private final ByteBufAllocator allocator;

    // guarded by this
    private final ArrayDeque<Batch.Writer> batches = new ArrayDeque<>();
    /** One per queued or unanswered publish: its result's sink, or {@link #FIRE_AND_FORGET}. */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();

    /** Batches sent on the current attempt and not yet answered in full, oldest first. */
    private final ArrayDeque<Batch.Writer> sent = new ArrayDeque<>();
    /** How many entries of the oldest sent batch were answered. */
    private int answeredOfOldest;
    /** Which attempt of the request-channel is current; signals of older ones are ignored. */
    private int generation;
    /** When the connection was first lost without a successful answer since (nanoTime), or 0. */
    private long lostSince;

    private int retries;

    private int pending;
    private long demand;
    private boolean headSent;
    private boolean emitting;
    private boolean missed;
    private @Nullable Throwable closed;
    private @Nullable Subscriber<? super Payload> out;

    /** In stream mode ({@link #stream}): the values' subscription, and how they ended. */
    private @Nullable Subscription source;

    private boolean sourceDone;
    private @Nullable Throwable sourceError;
    private boolean outDone;

    /** Completed when nothing waits any more (every publish sent and answered) or the channel ended. */
    private final List<java.util.concurrent.CompletableFuture<Void>> idle = new ArrayList<>();

    private PublishChannel(
            String topic,
            ByteBufAllocator allocator,
            @Nullable Function<Publisher<Payload>, Flux<Payload>> opener,
            java.util.function.BooleanSupplier stopped) {
        this.topic = topic;
        this.route = Wire.Op.PUBLISH.route(topic);
        this.allocator = allocator;
        this.opener = opener;
        this.stopped = stopped;
    }

    /**
     * Opens a channel: {@code open} starts the request-channel with the given payloads and returns the
     * node's answers, which this channel consumes. It is called again after a lost connection.
     *
     * @param stopped whether the handle is closing (the channel then stops trying again)
     */
    static PublishChannel open(
            String topic,
            ByteBufAllocator allocator,
            Function<Publisher<Payload>, Flux<Payload>> open,
            java.util.function.BooleanSupplier stopped) {
        PublishChannel channel = new PublishChannel(topic, allocator, open, stopped);
        channel.start();
        return channel;
    }

    /** Starts the current attempt of the request-channel. */
    private void start() {
        Function<Publisher<Payload>, Flux<Payload>> open = java.util.Objects.requireNonNull(opener);
        int attempt;
        synchronized (this) {
            attempt = generation;
        }
        open.apply(this)
                .subscribe(
                        p -> answer(attempt, p),
                        e -> ended(attempt, e),
                        () -> ended(
                                attempt,
                                new DaakException("the node ended the publish channel of topic '" + topic + "'")));
    }

    /**
     * A stream of values as one channel of batches ({@code publishAll}): values are taken from
     * {@code values} at most {@value #MAX_PENDING} ahead of what was sent, and the results are the
     * node's answers, one per value, in order; a failed value ends the results with its error.
     *
     * @param encode encodes a value into an entry (metadata and data) the channel owns
     */
    static <T> Flux<PublishResult> stream(
            String topic,
            ByteBufAllocator allocator,
            Publisher<? extends T> values,
            Function<T, Entry> encode,
            Function<Publisher<Payload>, Flux<Payload>> open) {
        return Flux.defer(() -> {
            PublishChannel channel = new PublishChannel(topic, allocator, null, () -> true);
            Flux.<T>from(values).subscribe(new Subscriber<T>() {
                @Override
                public void onSubscribe(Subscription s) {
                    synchronized (channel) {
                        channel.source = s;
                    }
                    s.request(MAX_PENDING);
                }

                @Override
                public void onNext(T v) {
                    Entry entry;
                    try {
                        entry = encode.apply(v);
                    } catch (RuntimeException e) {
                        Subscription s;
                        synchronized (channel) {
                            s = channel.source;
                        }
                        if (s != null) {
                            s.cancel();
                        }
                        onError(e);
                        return;
                    }
                    channel.offer(entry, null);
                }

                @Override
                public void onError(Throwable t) {
                    synchronized (channel) {
                        channel.sourceDone = true;
                        channel.sourceError = t;
                    }
                    channel.drain();
                }

                @Override
                public void onComplete() {
                    synchronized (channel) {
                        channel.sourceDone = true;
                    }
                    channel.drain();
                }
            });
            return open.apply(channel).concatMapIterable(PublishChannel::results);
        });
    }

    /**
     * The result of one publish answered on its own (a request-response), released here; read without
     * a JSON tree, as the results of a channel are.
     */
    static PublishResult single(Payload p) {
        List<PublishResult> out = results(p);
        if (out.size() != 1) {
            throw new DaakException("the node answered a publish with " + out.size() + " results instead of one");
        }
        return out.get(0);
    }

    /** The results in one answer (released here); a failed entry becomes an error. */
    private static List<PublishResult> results(Payload p) {
        List<PublishResult> out = new ArrayList<>();
        try {
            parse(p, (r, error) -> {
                if (error != null) {
                    throw new ResultError(error);
                }
                if (r == null) {
                    throw new DaakException("the node acknowledged publishes without the results asked for");
                }
                out.add(r);
            });
        } catch (ResultError e) {
            throw Exceptions.propagate(Wire.fromWire(new ApplicationErrorException(e.getMessage()), null));
        }
        return out;
    }

    /** An entry's error in an answer, carried out of the parse. */
    private static final class ResultError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ResultError(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Receives each result of an answer: a result, or null and the wire error of that entry, or two
     * nulls for an acknowledged entry whose result was not asked for.
     */
    private interface ResultConsumer {
        void accept(@Nullable PublishResult result, @Nullable String error);
    }

    /**
     * Reads an answer (released here): a JSON array of results (or one result object), each
     * {@code {"topic","sequence","matched","dropped"}} (with {@code "count"}: a run of that many) or
     * {@code {"error": "..."}}, or a number of acknowledged publishes.
     */
    private static void parse(Payload p, ResultConsumer each) {
        try {
            FlatJson json = new FlatJson(p.sliceData());
            if (json.peek() == FlatJson.Kind.ARRAY) {
                json.expect('[');
                for (boolean first = true; json.moreItems(first); first = false) {
                    if (json.peek() == FlatJson.Kind.NUMBER) {
                        // A run of successful publishes whose results were not asked for (fields acks).
                        for (long n = json.integer("acknowledged"); n > 0; n--) {
                            each.accept(null, null);
                        }
                    } else {
                        result(json, each);
                    }
                }
            } else {
                result(json, each);
            }
            json.expectEnd();
        } catch (IllegalArgumentException e) {
            throw new DaakException("the node answered a publish with malformed JSON: " + e.getMessage(), e);
        } finally {
            p.release();
        }
    }

    private static void result(FlatJson json, ResultConsumer each) {
        String topic = "";
        String error = null;
        long sequence = 0;
        long matched = 0;
        long dropped = 0;
        long count = 1;
        json.expect('{');
        for (boolean first = true; json.more(first); first = false) {
            String name = json.name();
            switch (name) {
                case "topic" -> topic = json.peek() == FlatJson.Kind.STRING ? json.string() : skipped(json, "");
                case "error" -> error = json.peek() == FlatJson.Kind.STRING ? json.string() : skipped(json, "[error]");
                case "sequence" -> sequence = json.integer(name);
                case "matched" -> matched = json.integer(name);
                case "dropped" -> dropped = json.integer(name);
                case "count" -> count = json.integer(name);
                default -> json.skip();
            }
        }
        if (error != null) {
            each.accept(null, error);
        } else if (count < 1 || count > Batch.MAX_ENTRIES) {
            throw new IllegalArgumentException(
                    "a result's count is " + count + "; it must be 1 to " + Batch.MAX_ENTRIES);
        } else {
            // A run (fields runs): that many publishes with the sequences that follow, the counts alike.
            for (long i = 0; i < count; i++) {
                each.accept(new PublishResult(topic, sequence + i, (int) matched, (int) dropped), null);
            }
        }
    }

    private static String skipped(FlatJson json, String instead) {
        json.skip();
        return instead;
    }

    /**
     * Completes when every publish queued so far has been sent and answered, or the channel ended.
     *
     * @return a future the caller may wait on (never on an event-loop thread)
     */
    java.util.concurrent.CompletableFuture<Void> whenIdle() {
        synchronized (this) {
            if (closed == null && !waiting.isEmpty()) {
                java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
                idle.add(f);
                return f;
            }
        }
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** How many publishes wait to be sent or answered. */
    synchronized int unanswered() {
        return waiting.size();
    }

    private void signalIdle() {
        List<java.util.concurrent.CompletableFuture<Void>> done;
        synchronized (this) {
            if (idle.isEmpty() || (closed == null && !waiting.isEmpty())) {
                return;
            }
            done = new ArrayList<>(idle);
            idle.clear();
        }
        done.forEach(f -> f.complete(null));
    }

    /** Whether the channel has ended (a new one is needed). */
    synchronized boolean isClosed() {
        return closed != null;
    }

    /**
     * Queues one publish (its entry's metadata and data, read and released here).
     *
     * @param entry the encoded value and its compact metadata
     * @param result completed with the node's result, or null for a fire-and-forget publish
     * @return false when {@value #MAX_PENDING} publishes already wait or the channel has ended (nothing queued)
     */
    boolean offer(Entry entry, @Nullable MonoSink<PublishResult> result) {
        try {
            synchronized (this) {
                if (closed != null || pending >= MAX_PENDING) {
                    return false;
                }
                ByteBuf data = entry.data();
                ByteBuf metadata = entry.metadata();
                int size = data.readableBytes() + metadata.readableBytes() + 8;
                Batch.Writer last = batches.peekLast();
                if (last == null || !last.fits(size)) {
                    last = new Batch.Writer();
                    batches.add(last);
                }
                last.add(metadata, data);
                if (result != null || opener == null) {
                    last.wantResults(); // publish() calls and publishAll streams read the results
                }
                pending++;
                waiting.add(result != null ? result : FIRE_AND_FORGET);
            }
        } finally {
            entry.release();
        }
        drain();
        return true;
    }

    @Override
    public void subscribe(Subscriber<? super Payload> s) {
        int attempt;
        synchronized (this) {
            if (out != null) {
                Operators.error(s, new IllegalStateException("an attempt of a publish channel is subscribed once"));
                return;
            }
            out = s;
            attempt = generation;
        }
        s.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
                if (Operators.validate(n)) {
                    synchronized (PublishChannel.this) {
                        if (attempt != generation) {
                            return;
                        }
                        demand = Operators.addCap(demand, n);
                    }
                    drain();
                }
            }

            @Override
            public void cancel() {
                if (opener == null) {
                    ended(attempt, new DaakException("the publish channel of topic '" + topic + "' was cancelled"));
                    return;
                }
                // RSocket cancels the sending side of a channel first when its connection goes; the
                // answers' end that follows says whether to open again or fail. Nothing more is sent here.
                synchronized (PublishChannel.this) {
                    if (attempt == generation) {
                        out = null;
                        demand = 0;
                    }
                }
            }
        });
    }

    private void drain() {
        synchronized (this) {
            if (emitting) {
                missed = true;
                return;
            }
            emitting = true;
        }
        while (true) {
            Payload p;
            Subscriber<? super Payload> s;
            Subscription more = null;
            int sent;
            synchronized (this) {
                s = out;
                Batch.Writer w = s != null && demand > 0 && closed == null ? batches.poll() : null;
                if (w == null) {
                    if (missed) {
                        missed = false;
                        continue;
                    }
                    emitting = false;
                    if (s != null && sourceDone && batches.isEmpty() && !outDone && closed == null) {
                        outDone = true;
                        Throwable e = sourceError;
                        if (e != null) {
                            s.onError(e);
                        } else {
                            s.onComplete();
                        }
                    }
                    return;
                }
                more = source;
                sent = w.count();
                if (opener != null) {
                    this.sent.add(w); // kept until answered, to be sent again after a lost connection
                }
                demand--;
                pending -= w.count();
                WireFields f = new WireFields();
                f.batch = w.count();
                f.acks = !w.resultsWanted();
                f.runs = !f.acks; // results of consecutive publishes may come as one with a count
                f.compact = true; // entries made by RemoteDaak.entry
                p = w.payload(Wire.write(allocator, headSent ? null : route, null, f));
                headSent = true;
            }
            s.onNext(p);
            if (more != null) {
                more.request(sent);
            }
        }
    }

    /** One answer of the node: the results of one batch, in order. */
    private void answer(int attempt, Payload p) {
        synchronized (this) {
            if (attempt != generation) {
                p.release();
                return;
            }
            lostSince = 0;
            retries = 0;
        }
        try {
            parse(p, (r, error) -> {
                MonoSink<PublishResult> sink;
                synchronized (this) {
                    Batch.Writer oldest = sent.peek();
                    if (oldest != null && ++answeredOfOldest >= oldest.count()) {
                        sent.poll();
                        answeredOfOldest = 0;
                    }
                    Object w = waiting.poll();
                    if (w == null) {
                        log.warn("the node answered more publishes than topic '{}' sent", topic);
                        return;
                    }
                    sink = sinkOf(w);
                }
                if (error != null) {
                    Throwable e = Wire.fromWire(new ApplicationErrorException(error), null);
                    if (sink != null) {
                        sink.error(e);
                    } else {
                        log.warn("tryPublish to '{}' failed: {}", topic, e.getMessage());
                    }
                } else if (sink != null && r != null) {
                    sink.success(r);
                } else if (sink != null) {
                    sink.error(new DaakException(
                            "the node acknowledged a publish to '" + topic + "' without the result asked for"));
                }
            });
        } catch (DaakException e) {
            ended(attempt, e);
        }
        signalIdle();
    }

    /**
     * An attempt ended: after a lost connection the channel tries again (within the window), else
     * what waits fails (publish) or is reported lost (tryPublish).
     */
    private void ended(int attempt, Throwable e) {
        List<Object> failed;
        List<Batch.Writer> unsent;
        long delayMillis;
        synchronized (this) {
            if (closed != null || attempt != generation) {
                return;
            }
            delayMillis = retryDelay(e);
            if (delayMillis >= 0) {
                generation++;
                out = null;
                demand = 0;
                headSent = false;
                // What the node did not answer goes first again, in order; its results still wait.
                List<Batch.Writer> again = new ArrayList<>(sent);
                if (!again.isEmpty() && answeredOfOldest > 0) {
                    again.set(0, again.get(0).from(answeredOfOldest));
                }
                sent.clear();
                answeredOfOldest = 0;
                for (int i = again.size() - 1; i >= 0; i--) {
                    batches.addFirst(again.get(i));
                    pending += again.get(i).count();
                }
            }
        }
        if (delayMillis >= 0) {
            log.debug(
                    "the publish channel of '{}' lost its connection ({}); opening it again in {} ms",
                    topic,
                    e,
                    delayMillis);
            reactor.core.publisher.Mono.delay(java.time.Duration.ofMillis(delayMillis))
                    .subscribe(x -> start());
            return;
        }
        synchronized (this) {
            if (closed != null) {
                return;
            }
            closed = e;
            failed = new ArrayList<>(waiting);
            waiting.clear();
            unsent = new ArrayList<>(batches);
            batches.clear();
            sent.clear();
            pending = 0;
        }
        unsent.forEach(Batch.Writer::release);
        signalIdle();
        Throwable error = Wire.fromWire(e, null);
        long lost = failed.stream().filter(s -> s == FIRE_AND_FORGET).count();
        if (lost > 0) {
            log.warn(
                    "{} tryPublish calls to '{}' were not confirmed before the channel ended: {}",
                    lost,
                    topic,
                    error.getMessage());
        }
        for (Object w : failed) {
            MonoSink<PublishResult> s = sinkOf(w);
            if (s != null) {
                s.error(error);
            }
        }
    }

    /**
     * How long to wait before opening the channel again after {@code e}, or -1 when it must end: the
     * error is not a lost connection, the handle is closing, or the window has passed. Under the lock.
     */
    private long retryDelay(Throwable e) {
        if (opener == null || stopped.getAsBoolean() || !RemoteDaak.isConnectionLoss(e)) {
            return -1;
        }
        long now = System.nanoTime();
        if (lostSince == 0) {
            lostSince = now;
        } else if (now - lostSince > java.util.concurrent.TimeUnit.SECONDS.toNanos(RESEND_WINDOW_SECONDS)) {
            return -1;
        }
        return Math.min(2_000L, 50L << Math.min(retries++, 6));
    }

    @SuppressWarnings("unchecked")
    private static @Nullable MonoSink<PublishResult> sinkOf(Object w) {
        return w == FIRE_AND_FORGET ? null : (MonoSink<PublishResult>) w;
    }
}
