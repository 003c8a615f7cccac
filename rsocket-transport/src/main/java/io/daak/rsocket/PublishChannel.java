package io.daak.rsocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daak.core.DaakException;
import io.daak.core.PublishResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.rsocket.Payload;
import io.rsocket.exceptions.ApplicationErrorException;
import java.io.IOException;
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
 * <p>Thread-safe: state under this object's monitor, emission serialised by an {@code emitting} flag.
 */
final class PublishChannel implements Publisher<Payload>, Subscription {

    private static final Logger log = LoggerFactory.getLogger(PublishChannel.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Object FIRE_AND_FORGET = new Object();

    /** At most this many publishes wait for the node's demand; more are refused. */
    static final int MAX_PENDING = 4096;

    private final String topic;
    private final String route;
    private final ByteBufAllocator allocator;

    // guarded by this
    private final ArrayDeque<Batch.Writer> batches = new ArrayDeque<>();
    /** One per queued or unanswered publish: its result's sink, or {@link #FIRE_AND_FORGET}. */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();

    private int pending;
    private long demand;
    private boolean headSent;
    private boolean emitting;
    private boolean missed;
    private @Nullable Throwable closed;
    private @Nullable Subscriber<? super Payload> out;

    private PublishChannel(String topic, ByteBufAllocator allocator) {
        this.topic = topic;
        this.route = Wire.Op.PUBLISH.route(topic);
        this.allocator = allocator;
    }

    /**
     * Opens a channel: {@code open} starts the request-channel with the given payloads and returns the
     * node's answers, which this channel consumes.
     */
    static PublishChannel open(
            String topic, ByteBufAllocator allocator, Function<Publisher<Payload>, Flux<Payload>> open) {
        PublishChannel channel = new PublishChannel(topic, allocator);
        open.apply(channel)
                .subscribe(
                        channel::answer,
                        channel::ended,
                        () -> channel.ended(
                                new DaakException("the node ended the publish channel of topic '" + topic + "'")));
        return channel;
    }

    /** Whether the channel has ended (a new one is needed). */
    synchronized boolean isClosed() {
        return closed != null;
    }

    /**
     * Queues one publish (its entry's metadata and data, read and released here).
     *
     * @param entry the encoded value and its fields, as a single payload would carry them
     * @param result completed with the node's result, or null for a fire-and-forget publish
     * @return false when {@value #MAX_PENDING} publishes already wait or the channel has ended (nothing queued)
     */
    boolean offer(Payload entry, @Nullable MonoSink<PublishResult> result) {
        try {
            synchronized (this) {
                if (closed != null || pending >= MAX_PENDING) {
                    return false;
                }
                ByteBuf data = entry.sliceData();
                ByteBuf metadata = entry.hasMetadata() ? entry.sliceMetadata() : null;
                int size = data.readableBytes() + (metadata == null ? 0 : metadata.readableBytes()) + 8;
                Batch.Writer last = batches.peekLast();
                if (last == null || !last.fits(size)) {
                    last = new Batch.Writer();
                    batches.add(last);
                }
                last.add(metadata, data);
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
        synchronized (this) {
            if (out != null) {
                Operators.error(s, new IllegalStateException("a publish channel is subscribed once"));
                return;
            }
            out = s;
        }
        s.onSubscribe(this);
    }

    @Override
    public void request(long n) {
        if (Operators.validate(n)) {
            synchronized (this) {
                demand = Operators.addCap(demand, n);
            }
            drain();
        }
    }

    @Override
    public void cancel() {
        ended(new DaakException("the publish channel of topic '" + topic + "' was cancelled"));
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
            synchronized (this) {
                s = out;
                Batch.Writer w = s != null && demand > 0 && closed == null ? batches.poll() : null;
                if (w == null) {
                    if (missed) {
                        missed = false;
                        continue;
                    }
                    emitting = false;
                    return;
                }
                demand--;
                pending -= w.count();
                WireFields f = new WireFields();
                f.batch = w.count();
                p = w.payload(Wire.write(allocator, headSent ? null : route, null, f));
                headSent = true;
            }
            s.onNext(p);
        }
    }

    /** One answer of the node: the results of one batch, in order. */
    private void answer(Payload p) {
        JsonNode results;
        try {
            results = JSON.readTree(ByteBufUtil.getBytes(p.sliceData()));
        } catch (IOException e) {
            ended(new DaakException("the node answered a publish batch with malformed JSON: " + e.getMessage(), e));
            return;
        } finally {
            p.release();
        }
        List<JsonNode> each = new ArrayList<>();
        if (results.isArray()) {
            results.forEach(each::add);
        } else {
            each.add(results);
        }
        for (JsonNode r : each) {
            MonoSink<PublishResult> sink;
            synchronized (this) {
                Object w = waiting.poll();
                if (w == null) {
                    log.warn("the node answered more publishes than topic '{}' sent", topic);
                    return;
                }
                sink = sinkOf(w);
            }
            if (r.has("error")) {
                Throwable e = Wire.fromWire(
                        new ApplicationErrorException(r.path("error").asText()), null);
                if (sink != null) {
                    sink.error(e);
                } else {
                    log.warn("tryPublish to '{}' failed: {}", topic, e.getMessage());
                }
            } else if (sink != null) {
                sink.success(result(r));
            }
        }
    }

    static PublishResult result(JsonNode n) {
        return new PublishResult(
                n.path("topic").asText(),
                n.path("sequence").asLong(),
                n.path("matched").asInt(),
                n.path("dropped").asInt());
    }

    /** The channel ended: what waits fails (publish) or is reported lost (tryPublish). */
    private void ended(Throwable e) {
        List<Object> failed;
        List<Batch.Writer> unsent;
        synchronized (this) {
            if (closed != null) {
                return;
            }
            closed = e;
            failed = new ArrayList<>(waiting);
            waiting.clear();
            unsent = new ArrayList<>(batches);
            batches.clear();
            pending = 0;
        }
        unsent.forEach(Batch.Writer::release);
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

    @SuppressWarnings("unchecked")
    private static @Nullable MonoSink<PublishResult> sinkOf(Object w) {
        return w == FIRE_AND_FORGET ? null : (MonoSink<PublishResult>) w;
    }
}
