package io.daak.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.concurrent.Queues;

/**
 * The publish/subscribe part of the in-process engine.
 *
 * <p>Each topic processes its publishes one at a time, in the order they arrive, without a lock: the
 * publisher that finds the topic idle (its {@code WIP} counter at 0) assigns the sequence number,
 * appends to the log and hands the message to every matching subscription on its own thread; a
 * publisher that finds the topic busy leaves its publish in the topic's queue for the busy thread to
 * process (the serialisation of reactor's {@code FluxCreate.SerializedFluxSink}). So every
 * subscriber sees a topic's messages in sequence order and no user code runs under a lock. A BLOCK
 * subscriber that is full stalls its topics' processing; its next emission resumes it.
 *
 * <p>Subscriptions and topics are matched once, when either appears, under the registry monitor;
 * publishing reads a topic's subscription array without locking.
 *
 * <p>Thread-safe.
 */
final class Topics {

    private static final Logger log = LoggerFactory.getLogger(Topics.class);
    private static final Sub[] NO_SUBS = new Sub[0];
    private static final VarHandle WIP;
    private static final VarHandle QUEUED;

    /**
     * How many {@code tryPublish} calls may wait behind a busy topic before {@code tryPublish} says
     * "full": the bound on the queue of a topic whose processing thread is held up by a subscriber.
     */
    static final int MAX_QUEUED_TRY_PUBLISHES = 4096;

    static {
        try {
            WIP = MethodHandles.lookup().findVarHandle(TopicState.class, "wip", int.class);
            QUEUED = MethodHandles.lookup().findVarHandle(TopicState.class, "queued", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Engine engine;
    private final ConcurrentHashMap<String, TopicState> topics = new ConcurrentHashMap<>();
    private final Object registry = new Object();
    private final List<Sub> subs = new ArrayList<>(); // guarded by registry

    Topics(Engine engine) {
        this.engine = engine;
    }

    /** One subscription. */
    static final class Sub {
        final Selector<?> selector;
        final Outbox<Message<?>> outbox;
        final Set<TopicState> waiting = ConcurrentHashMap.newKeySet();
        final boolean blocks;
        private final boolean anyType;

        Sub(Selector<?> selector, Outbox<Message<?>> outbox) {
            this.selector = selector;
            this.outbox = outbox;
            this.blocks = outbox.overflow().policy() == Overflow.Policy.BLOCK;
            this.anyType = selector.type() == Object.class;
        }

        boolean accepts(Object value) {
            if (anyType) {
                return true;
            }
            Class<?> type = selector.type();
            return value instanceof EncodedValue ev ? type.isAssignableFrom(ev.type()) : type.isInstance(value);
        }

        DaakException mismatch(String topic, Object value) {
            Class<?> actual = value instanceof EncodedValue ev ? ev.type() : value.getClass();
            return new DaakException("topic '" + topic + "' carries " + actual.getName()
                    + " values but the subscription to '" + selector.pattern() + "' expects "
                    + selector.type().getName() + "; subscribe with a matching type (or Object.class)");
        }
    }

    /** A publish waiting in a topic's queue; completes the publisher's {@code Mono} when processed. */
    static final class Pending extends Operators.MonoSubscriber<PublishResult, PublishResult> {
        final Object value;
        final Fields fields;
        volatile boolean abandoned;

        Pending(@Nullable CoreSubscriber<? super PublishResult> actual, Object value, Fields fields) {
            super(actual == null ? Operators.emptySubscriber() : actual);
            this.value = value;
            this.fields = fields;
        }

        @Override
        public void cancel() {
            abandoned = true;
            super.cancel();
        }
    }

    /** One topic. Only the thread that holds {@code wip} touches {@link #sequence} and {@link #stalled}. */
    final class TopicState {
        final String name;
        final TopicLog log;
        final Queue<Pending> queue = Queues.<Pending>unboundedMultiproducer().get();
        volatile Sub[] subs = NO_SUBS;
        volatile int wip;
        volatile int queued;
        long sequence;

        @Nullable
        Pending stalled;

        TopicState(String name) {
            this.name = name;
            this.log = engine.options.storage().open(name, retentionFor(name));
            this.sequence = log.last();
        }

        /**
         * Publishes at once when the topic is idle and nothing waits; else leaves the publish in the
         * queue, to complete {@code actual} (if any) when processed, and returns null.
         */
        @Nullable
        PublishResult publish(Object value, Fields fields, @Nullable CoreSubscriber<? super PublishResult> actual) {
            if (wip == 0 && WIP.compareAndSet(this, 0, 1)) {
                if (stalled == null && queue.isEmpty() && blockedBy() == null) {
                    PublishResult result = commit(value, fields, true);
                    release();
                    return result;
                }
                enqueue(value, fields, actual);
                drainLoop();
                return null;
            }
            enqueue(value, fields, actual);
            signal();
            return null;
        }

        /**
         * Publishes at once, or behind a busy topic; false, with nothing published, when a BLOCK
         * subscriber is full.
         */
        boolean tryPublish(Object value, Fields fields) {
            if (wip == 0 && WIP.compareAndSet(this, 0, 1)) {
                boolean free = stalled == null && queue.isEmpty() && blockedBy() == null;
                if (free) {
                    commit(value, fields, false);
                }
                release();
                return free;
            }
            if (isBlocked() || queued >= MAX_QUEUED_TRY_PUBLISHES) {
                return false;
            }
            enqueue(value, fields, null);
            signal();
            return true;
        }

        /** Gives up {@code wip}, first processing what arrived meanwhile. */
        private void release() {
            if ((int) WIP.getAndAdd(this, -1) != 1) {
                drainLoop();
            }
        }

        private void enqueue(Object value, Fields fields, @Nullable CoreSubscriber<? super PublishResult> actual) {
            Pending p = new Pending(actual, value, fields);
            if (actual != null) {
                actual.onSubscribe(p);
            }
            QUEUED.getAndAdd(this, 1);
            queue.offer(p);
        }

        /** Processes the queue on this thread unless another thread already does. */
        void signal() {
            if ((int) WIP.getAndAdd(this, 1) == 0) {
                drainLoop();
            }
        }

        private void drainLoop() {
            int missed = 1;
            for (; ; ) {
                for (; ; ) {
                    Pending p = stalled;
                    if (p == null) {
                        p = queue.poll();
                        if (p == null) {
                            break;
                        }
                        QUEUED.getAndAdd(this, -1);
                    }
                    stalled = null;
                    if (p.abandoned) {
                        continue;
                    }
                    if (engine.isClosed()) {
                        p.onError(engine.closedError());
                        continue;
                    }
                    Sub blocker = blockedBy();
                    if (blocker != null) {
                        stalled = p;
                        blocker.waiting.add(this);
                        if (blocker.outbox.hasRoom()) {
                            continue; // it made room meanwhile
                        }
                        break;
                    }
                    p.complete(commit(p.value, p.fields, true));
                }
                missed = (int) WIP.getAndAdd(this, -missed) - missed;
                if (missed == 0) {
                    return;
                }
            }
        }

        /**
         * Appends and hands the message to every subscription; only the processing thread calls it.
         *
         * @return the result when {@code report}, else null
         */
        private @Nullable PublishResult commit(Object value, Fields fields, boolean report) {
            long ts = fields.timestamp() != null ? Clock.toNanos(fields.timestamp()) : engine.now();
            long expires = fields.ttl() == null ? 0 : ts + fields.ttl().toNanos();
            Message<Object> message = new Message<>(name, value, ++sequence, ts, expires, fields);
            log.append(message);
            Sub[] current = subs;
            int dropped = 0;
            for (Sub sub : current) {
                if (!sub.accepts(value)) {
                    sub.outbox.fail(sub.mismatch(name, value));
                    dropped++;
                } else if (sub.outbox.deliver(message, true) == Outbox.DROPPED) {
                    dropped++;
                }
            }
            return report ? new PublishResult(name, message.sequence(), current.length, dropped) : null;
        }

        private @Nullable Sub blockedBy() {
            for (Sub sub : subs) {
                if (sub.blocks && !sub.outbox.hasRoom()) {
                    return sub;
                }
            }
            return null;
        }

        /** Whether a publish now would wait for a BLOCK subscriber (a racy estimate). */
        boolean isBlocked() {
            return stalled != null || blockedBy() != null;
        }

        /** Fails what waits, on the processing thread (this one, or the one busy with the topic). */
        void close() {
            signal();
        }
    }

    private Retention retentionFor(String topic) {
        Retention r = engine.options.retentionFor(topic);
        if (r == Retention.latest() && topic.startsWith("$dlq/")) {
            return Retention.count(10_000); // dead letters are kept for someone to look at
        }
        return r;
    }

    TopicState topic(String name) {
        TopicState t = topics.get(name);
        if (t != null) {
            return t;
        }
        synchronized (registry) {
            t = topics.get(name);
            if (t == null) {
                int max = engine.options.maxTopics();
                if (topics.size() >= max) {
                    throw new DaakException("cannot open topic '" + name + "': this engine already holds maxTopics="
                            + max + " topics, each keeping its state and retained messages; raise "
                            + "LocalOptions.maxTopics or use fewer distinct topic names (put ids in headers)");
                }
                t = new TopicState(name);
                List<Sub> matching = new ArrayList<>();
                for (Sub sub : subs) {
                    if (sub.selector.matches(name)) {
                        matching.add(sub);
                    }
                }
                t.subs = matching.toArray(NO_SUBS);
                topics.put(name, t);
            }
            return t;
        }
    }

    // ------------------------------------------------------------------ publish

    Mono<PublishResult> publish(String topic, Object value, Fields fields) {
        return new PublishMono(this, topic, value, fields);
    }

    /** One publish: processed when subscribed, completed when the topic has processed it. */
    private static final class PublishMono extends Mono<PublishResult> {
        private final Topics topics;
        private final String topic;
        private final Object value;
        private final Fields fields;

        PublishMono(Topics topics, String topic, Object value, Fields fields) {
            this.topics = topics;
            this.topic = topic;
            this.value = value;
            this.fields = fields;
        }

        @Override
        public void subscribe(CoreSubscriber<? super PublishResult> actual) {
            if (topics.engine.isClosed()) {
                Operators.error(actual, topics.engine.closedError());
                return;
            }
            TopicState state;
            try {
                state = topics.topic(topic);
            } catch (DaakException e) {
                Operators.error(actual, e);
                return;
            }
            PublishResult result = state.publish(value, fields, actual);
            if (result != null) {
                actual.onSubscribe(Operators.scalarSubscription(actual, result));
            }
        }
    }

    /**
     * Publishes without a {@code Mono}: at once, or queued behind a busy topic.
     *
     * @return false, without publishing, when a BLOCK subscriber is full
     */
    boolean tryPublish(TopicState t, Object value, Fields fields) {
        if (engine.isClosed()) {
            throw new IllegalStateException(engine.closedError().getMessage());
        }
        return t.tryPublish(value, fields);
    }

    private void wake(Sub sub) {
        if (sub.waiting.isEmpty()) {
            return;
        }
        for (TopicState t : List.copyOf(sub.waiting)) {
            sub.waiting.remove(t);
            t.signal();
        }
    }

    // ------------------------------------------------------------------ subscribe

    <T> Flux<Message<T>> subscribe(Selector<T> selector, SubscribeOptions options) {
        Flux<Message<?>> raw = new Flux<>() {
            @Override
            public void subscribe(CoreSubscriber<? super Message<?>> actual) {
                register(selector, options, actual);
            }
        };
        Class<T> type = selector.type();
        if (!engine.options.encodeInProcess()) {
            @SuppressWarnings("unchecked")
            Flux<Message<T>> typed = (Flux<Message<T>>) (Flux<?>) raw;
            return typed;
        }
        return raw.map(m -> m.withValue(EncodedValue.open("topic '" + m.topic() + "'", m.value(), type)));
    }

    private boolean expired(Message<?> m) {
        return m.expiresAtNanos() != 0 && m.expiresAtNanos() <= engine.now();
    }

    private void register(Selector<?> selector, SubscribeOptions options, CoreSubscriber<? super Message<?>> actual) {
        Outbox<Message<?>> outbox = new Outbox<>(actual, options.overflow(), selector.pattern());
        Sub sub = new Sub(selector, outbox);
        outbox.onTerminate(() -> remove(sub));
        if (options.overflow().policy() == Overflow.Policy.BLOCK) {
            outbox.onRoom(() -> wake(sub));
        }
        Replay replay = options.start().kind() == Start.Kind.NEW ? null : new Replay(sub, options.start());
        if (replay != null) {
            outbox.prefix(replay);
            outbox.skipWhen(m -> expired(m) || replay.replayed(m));
        } else {
            outbox.skipWhen(this::expired);
        }
        outbox.pause();
        actual.onSubscribe(outbox);
        if (engine.isClosed()) {
            outbox.fail(engine.closedError());
            return;
        }
        synchronized (registry) {
            subs.add(sub);
            for (TopicState t : topics.values()) {
                if (selector.matches(t.name)) {
                    Sub[] current = t.subs;
                    Sub[] next = Arrays.copyOf(current, current.length + 1);
                    next[current.length] = sub;
                    t.subs = next;
                    if (replay != null) {
                        replay.add(t.name, t.log);
                    }
                }
            }
        }
        if (outbox.isTerminated()) {
            remove(sub);
        }
        outbox.resume();
    }

    private void remove(Sub sub) {
        synchronized (registry) {
            if (!subs.remove(sub)) {
                return;
            }
            for (TopicState t : topics.values()) {
                if (sub.selector.matches(t.name)) {
                    List<Sub> next = new ArrayList<>(Arrays.asList(t.subs));
                    next.remove(sub);
                    t.subs = next.toArray(NO_SUBS);
                }
            }
        }
    }

    /**
     * Stored messages of the matching topics from the start position on, in timestamp order across
     * topics, read lazily at demand. Each topic is read to its end as it stands when the read gets
     * there; live messages that the replay already gave are skipped ({@link #replayed}). Only the
     * subscription's emitting thread calls it.
     */
    private final class Replay implements Supplier<@Nullable Message<?>> {
        private final Sub sub;
        private final Start start;
        private final PriorityQueue<Cursor> cursors = new PriorityQueue<>();
        private final Map<String, Long> lastReplayed = new HashMap<>();

        Replay(Sub sub, Start start) {
            this.sub = sub;
            this.start = start;
        }

        /** Adds a topic; called under the registry monitor while the subscription is paused. */
        void add(String topic, TopicLog log) {
            log.expire(engine.now()); // a quiet topic's old messages go now, not at its next publish
            long end = log.last();
            long from =
                    switch (start.kind()) {
                        case LATEST -> end;
                        case EARLIEST -> 1;
                        case SEQUENCE -> start.sequence();
                        case TIME -> log.sequenceAt(Clock.toNanos(start.time()));
                        case NEW -> end + 1;
                    };
            lastReplayed.put(topic, Math.max(from, 1) - 1);
            Cursor c = new Cursor(log, Math.max(from, 1), start.kind() == Start.Kind.LATEST ? end : Long.MAX_VALUE);
            if (c.advance()) {
                cursors.add(c);
            }
        }

        boolean replayed(Message<?> m) {
            Long last = lastReplayed.get(m.topic());
            return last != null && m.sequence() <= last;
        }

        @Override
        public @Nullable Message<?> get() {
            long now = engine.now();
            for (; ; ) {
                Cursor c = cursors.poll();
                if (c == null) {
                    return null;
                }
                c.log.expire(now);
                if (c.current != null && c.log.read(c.current.sequence()) == null) {
                    // evicted (by age or by newer messages) while the subscriber was not asking
                    if (c.advance()) {
                        cursors.add(c);
                    }
                    continue;
                }
                Message<?> m = c.current;
                if (c.advance()) {
                    cursors.add(c);
                }
                if (m == null) {
                    continue;
                }
                lastReplayed.put(m.topic(), m.sequence());
                if (expired(m)) {
                    continue;
                }
                if (start.kind() == Start.Kind.TIME && m.timestampNanos() < Clock.toNanos(start.time())) {
                    continue;
                }
                if (!sub.accepts(m.value())) {
                    throw sub.mismatch(m.topic(), m.value());
                }
                return m;
            }
        }
    }

    /** A position in one topic's log, ordered by the timestamp of the message it points at. */
    private static final class Cursor implements Comparable<Cursor> {
        final TopicLog log;
        final long end;
        long next;

        @Nullable
        Message<?> current;

        Cursor(TopicLog log, long next, long end) {
            this.log = log;
            this.next = next;
            this.end = end;
        }

        /** Moves to the next retained message up to {@code end} and the log's end; false at the end. */
        boolean advance() {
            current = null;
            while (next <= Math.min(end, log.last())) {
                Message<?> m = log.read(next);
                if (m != null) {
                    next++;
                    current = m;
                    return true;
                }
                long first = log.first();
                next = first > next ? first : next + 1; // evicted meanwhile: skip to what is retained
            }
            return false;
        }

        @Override
        public int compareTo(Cursor o) {
            long a = current == null ? Long.MAX_VALUE : current.timestampNanos();
            long b = o.current == null ? Long.MAX_VALUE : o.current.timestampNanos();
            return Long.compare(a, b);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    void close() {
        List<Sub> all;
        synchronized (registry) {
            all = List.copyOf(subs);
        }
        for (Sub sub : all) {
            sub.outbox.complete();
        }
        for (TopicState t : topics.values()) {
            t.close();
        }
    }

    /** Publishes on behalf of the engine itself (dead letters), without interceptors. */
    void publishInternal(String topic, Object value, Fields fields) {
        try {
            topic(topic).publish(value, fields, null);
        } catch (DaakException e) {
            log.error("a message for '{}' is lost: {}", topic, e.getMessage());
        }
    }
}
