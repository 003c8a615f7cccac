package io.daak.rsocket;

import io.daak.core.Message;
import io.netty.util.concurrent.FastThreadLocal;
import io.rsocket.Payload;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.concurrent.Queues;
import reactor.util.context.Context;

/**
 * Turns a subscription's messages into payloads for a client that takes {@link Batch batches}: the
 * client's {@code request(n)} counts messages and passes unchanged to the engine, and whatever the
 * engine hands over at once goes out as few payloads as possible. Batches form without waiting:
 * a message that arrives alone leaves alone at once; messages that arrive together (the backlog the
 * engine releases when demand comes, or the messages of one incoming batch, see {@link #deferring})
 * leave together.
 *
 * <p>Thread-safe as Reactive Streams requires: {@code request} from any thread, emission serialised
 * by a work-in-progress counter.
 */
final class Batching implements CoreSubscriber<Message<Encoded>>, Subscription {

    /** Encodes messages for one connection. */
    interface Encoder {
        /** A message as a payload of its own. */
        Payload single(Message<Encoded> m);

        /** Appends a message to a batch. */
        void add(Batch.Writer batch, Message<Encoded> m);

        /** The finished batch as a payload. */
        Payload finish(Batch.Writer batch);

        /** A fresh batch writer. */
        Batch.Writer writer();
    }

    /** The messages of one incoming batch (or demand release) on this thread: drained at its end. */
    private static final class Scope {
        int depth;
        final List<Batching> dirty = new ArrayList<>();
    }

    private static final FastThreadLocal<Scope> SCOPE = PerThread.of(Scope::new);

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Batching> WIP =
            AtomicIntegerFieldUpdater.newUpdater(Batching.class, "wip");

    private final CoreSubscriber<? super Payload> actual;
    private final Encoder encoder;
    private final int maxEntries;
    /**
     * Single producer (the upstream's {@code onNext} calls are serialised, whichever thread makes
     * them), single consumer (the drain loop): an array-linked queue, one allocation per 32 messages
     * (small links: every subscription holds one, idle or not).
     */
    private final Queue<Message<Encoded>> queue =
            Queues.<Message<Encoded>>unbounded(32).get();

    private Subscription upstream = Operators.emptySubscription();
    private volatile int wip;
    private volatile boolean cancelled;
    private volatile boolean done;
    private @Nullable Throwable error;
    /** Set by the thread that registered this in its scope; serialised with onNext. */
    private boolean deferred;

    private Batching(CoreSubscriber<? super Payload> actual, Encoder encoder, int maxEntries) {
        this.actual = actual;
        this.encoder = encoder;
        this.maxEntries = Math.max(1, Math.min(Batch.MAX_ENTRIES, maxEntries));
    }

    /** The messages of {@code source} as payloads, batched up to {@code maxEntries}. */
    static Flux<Payload> batch(Publisher<Message<Encoded>> source, Encoder encoder, int maxEntries) {
        return Flux.from(subscriber ->
                source.subscribe(new Batching(Operators.toCoreSubscriber(subscriber), encoder, maxEntries)));
    }

    /**
     * Runs {@code work} so that what it delivers to batching subscribers on this thread leaves in as
     * few payloads as possible, when it returns (e.g. the publishes of one incoming batch).
     */
    static void deferring(Runnable work) {
        Scope scope = SCOPE.get();
        scope.depth++;
        try {
            work.run();
        } finally {
            if (--scope.depth == 0 && !scope.dirty.isEmpty()) {
                // Drains can deliver more on this thread (a drain may complete a Mono that publishes).
                for (int i = 0; i < scope.dirty.size(); i++) {
                    Batching b = scope.dirty.get(i);
                    b.deferred = false;
                    b.drain();
                }
                scope.dirty.clear();
            }
        }
    }

    /** {@code mono}, subscribed inside {@link #deferring}. */
    static <T> Mono<T> deferring(Mono<T> mono) {
        return Mono.from(s -> deferring(() -> mono.subscribe(s)));
    }

    @Override
    public Context currentContext() {
        return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
        upstream = s;
        actual.onSubscribe(this);
    }

    @Override
    public void onNext(Message<Encoded> m) {
        queue.offer(m);
        Scope scope = SCOPE.get();
        if (scope.depth > 0) {
            if (!deferred) {
                deferred = true;
                scope.dirty.add(this);
            }
            return;
        }
        drain();
    }

    @Override
    public void onError(Throwable t) {
        error = t;
        done = true;
        drain();
    }

    @Override
    public void onComplete() {
        done = true;
        drain();
    }

    @Override
    public void request(long n) {
        if (!Operators.validate(n)) {
            return;
        }
        // Hold the drain while the engine hands over its backlog, then send it in batches.
        boolean owner = WIP.getAndIncrement(this) == 0;
        upstream.request(n);
        if (owner) {
            drainLoop(1);
        } else {
            drain();
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        upstream.cancel();
        if (WIP.getAndIncrement(this) == 0) {
            queue.clear();
        }
    }

    private void drain() {
        if (WIP.getAndIncrement(this) == 0) {
            drainLoop(1);
        }
    }

    private void drainLoop(int missed) {
        do {
            if (cancelled) {
                queue.clear();
            } else {
                emit();
                if (done && queue.isEmpty()) {
                    Throwable e = error;
                    cancelled = true;
                    if (e != null) {
                        actual.onError(e);
                    } else {
                        actual.onComplete();
                    }
                }
            }
            missed = WIP.addAndGet(this, -missed);
        } while (missed != 0);
    }

    private void emit() {
        Message<Encoded> m;
        while ((m = queue.poll()) != null) {
            Message<Encoded> next = queue.peek();
            if (next == null || maxEntries == 1 || !small(m)) {
                actual.onNext(encoder.single(m));
                continue;
            }
            Batch.Writer batch = encoder.writer();
            try {
                encoder.add(batch, m);
                while ((next = queue.peek()) != null
                        && small(next)
                        && batch.count() < maxEntries
                        && batch.fits(next.value().bytes().length + 64)) {
                    encoder.add(batch, queue.poll());
                }
            } catch (RuntimeException e) {
                batch.release();
                throw e;
            }
            actual.onNext(encoder.finish(batch));
        }
    }

    private static boolean small(Message<Encoded> m) {
        return m.value().bytes().length <= Batch.MAX_BYTES / 4;
    }
}
