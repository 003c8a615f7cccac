package io.daak.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;

/**
 * The publish/subscribe part of the in-process engine.
 *
 * <p>Each topic has a monitor that orders its publishes: the sequence number, the append to the log
 * and the hand-off to every matching subscription's {@link Outbox} happen under it, so every
 * subscriber sees a topic's messages in sequence order. Emission to subscribers happens after the
 * monitor is released. Subscriptions and topics are matched once, when either appears, under the
 * registry monitor; publishing reads a topic's subscription array without locking.
 *
 * <p>Thread-safe.
 */
final class Topics {

    private static final Sub[] NO_SUBS = new Sub[0];

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

        Sub(Selector<?> selector, Outbox<Message<?>> outbox) {
            this.selector = selector;
            this.outbox = outbox;
        }

        boolean accepts(Object value) {
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

    /** A publish waiting for a BLOCK subscriber to make room. */
    static final class Waiter {
        final Object value;
        final Fields fields;
        final MonoSink<PublishResult> sink;
        volatile boolean cancelled;

        Waiter(Object value, Fields fields, MonoSink<PublishResult> sink) {
            this.value = value;
            this.fields = fields;
            this.sink = sink;
        }
    }

    /** One topic. Its fields are guarded by its monitor except {@link #subs}. */
    final class TopicState {
        final String name;
        final TopicLog log;
        long sequence;
        volatile Sub[] subs = NO_SUBS;
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

        TopicState(String name) {
            this.name = name;
            this.log = engine.options.storage().open(name, retentionFor(name));
            this.sequence = log.last();
        }

        /** Subscriptions to fail after the monitor is released; guarded by the monitor. */
        private @Nullable List<Runnable> failures;

        @Nullable
        List<Runnable> takeFailures() {
            List<Runnable> f = failures;
            failures = null;
            return f;
        }

        /** Appends and hands the message to every subscription; call {@link #takeFailures()} after. */
        PublishResult commit(Object value, Fields fields) {
            long now = engine.now();
            long ts = fields.timestamp() != null ? Clock.toNanos(fields.timestamp()) : now;
            long expires = fields.ttl() == null ? 0 : ts + fields.ttl().toNanos();
            Message<Object> message = new Message<>(name, value, ++sequence, ts, expires, fields);
            log.append(message);
            Sub[] current = subs;
            int dropped = 0;
            for (Sub sub : current) {
                if (!sub.accepts(value)) {
                    DaakException e = sub.mismatch(name, value);
                    if (failures == null) {
                        failures = new ArrayList<>(1);
                    }
                    failures.add(() -> sub.outbox.fail(e));
                    dropped++;
                    continue;
                }
                int r = sub.outbox.offer(message, true);
                if (r == Outbox.DROPPED) {
                    dropped++;
                }
            }
            return new PublishResult(name, message.sequence(), current.length, dropped);
        }

        @Nullable
        Sub blockedBy() {
            for (Sub sub : subs) {
                if (sub.outbox.overflow().policy() == Overflow.Policy.BLOCK && !sub.outbox.hasRoom()) {
                    return sub;
                }
            }
            return null;
        }
    }

    private Retention retentionFor(String topic) {
        Retention r = engine.options.retentionFor(topic);
        if (r == Retention.latest() && topic.startsWith("$dlq/")) {
            return Retention.count(10_000); // dead letters are kept for someone to look at
        }
        return r;
    }

    private TopicState topic(String name) {
        TopicState t = topics.get(name);
        if (t != null) {
            return t;
        }
        synchronized (registry) {
            t = topics.get(name);
            if (t == null) {
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
        return new PublishMono(topic, value, fields);
    }

    /**
     * One publish. It commits when subscribed; when a BLOCK subscriber is full it waits in the topic's
     * queue of waiting publishes instead.
     */
    private final class PublishMono extends Mono<PublishResult> {
        private final String topic;
        private final Object value;
        private final Fields fields;

        PublishMono(String topic, Object value, Fields fields) {
            this.topic = topic;
            this.value = value;
            this.fields = fields;
        }

        @Override
        public void subscribe(CoreSubscriber<? super PublishResult> actual) {
            if (engine.isClosed()) {
                Operators.error(actual, engine.closedError());
                return;
            }
            TopicState t = topic(topic);
            PublishResult result = tryCommit(t, value, fields);
            if (result != null) {
                actual.onSubscribe(Operators.scalarSubscription(actual, result));
                return;
            }
            Mono.<PublishResult>create(sink -> enqueue(t, value, fields, sink)).subscribe(actual);
        }
    }

    /** Commits at once unless publishes are waiting or a BLOCK subscriber is full; then null. */
    private @Nullable PublishResult tryCommit(TopicState t, Object value, Fields fields) {
        PublishResult result;
        @Nullable List<Runnable> failures;
        synchronized (t) {
            if (!t.waiters.isEmpty() || t.blockedBy() != null) {
                return null;
            }
            result = t.commit(value, fields);
            failures = t.takeFailures();
        }
        finish(t, failures);
        return result;
    }

    /** The slow path: wait behind the other waiting publishes (or commit if room was made meanwhile). */
    private void enqueue(TopicState t, Object value, Fields fields, MonoSink<PublishResult> sink) {
        Waiter w = new Waiter(value, fields, sink);
        Sub blocker;
        synchronized (t) {
            t.waiters.addLast(w);
            sink.onCancel(() -> w.cancelled = true);
            blocker = t.blockedBy();
            if (blocker != null) {
                blocker.waiting.add(t);
            }
        }
        if (blocker == null || blocker.outbox.hasRoom()) {
            retry(t); // room was made meanwhile, or only other waiters were ahead
        }
    }

    private void finish(TopicState t, @Nullable List<Runnable> failures) {
        for (Sub sub : t.subs) {
            sub.outbox.drain();
        }
        if (failures != null) {
            for (Runnable r : failures) {
                r.run();
            }
        }
    }

    /** Publishes the waiting messages of a topic while no BLOCK subscriber is full. */
    private void retry(TopicState t) {
        for (; ; ) {
            List<Runnable> after = new ArrayList<>(0);
            List<Waiter> done = new ArrayList<>();
            List<PublishResult> results = new ArrayList<>();
            Sub blocker = null;
            synchronized (t) {
                while (!t.waiters.isEmpty()) {
                    blocker = t.blockedBy();
                    if (blocker != null) {
                        blocker.waiting.add(t);
                        break;
                    }
                    Waiter w = t.waiters.pollFirst();
                    if (w.cancelled) {
                        continue;
                    }
                    results.add(t.commit(w.value, w.fields));
                    List<Runnable> failures = t.takeFailures();
                    if (failures != null) {
                        after.addAll(failures);
                    }
                    done.add(w);
                }
            }
            finish(t, after);
            for (int i = 0; i < done.size(); i++) {
                done.get(i).sink.success(results.get(i));
            }
            if (blocker == null || !blocker.outbox.hasRoom()) {
                return;
            }
        }
    }

    private void wake(Sub sub) {
        if (sub.waiting.isEmpty()) {
            return;
        }
        for (TopicState t : List.copyOf(sub.waiting)) {
            sub.waiting.remove(t);
            retry(t);
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

    private void register(Selector<?> selector, SubscribeOptions options, CoreSubscriber<? super Message<?>> actual) {
        Outbox<Message<?>> outbox = new Outbox<>(actual, options.overflow(), selector.pattern());
        Sub sub = new Sub(selector, outbox);
        outbox.onTerminate(() -> remove(sub));
        if (options.overflow().policy() == Overflow.Policy.BLOCK) {
            outbox.onRoom(() -> wake(sub));
        }
        outbox.expireWhen(m -> m.expiresAtNanos() != 0 && m.expiresAtNanos() <= engine.now());
        outbox.pause();
        actual.onSubscribe(outbox);
        if (engine.isClosed()) {
            outbox.fail(engine.closedError());
            return;
        }
        Replay replay = options.start().kind() == Start.Kind.NEW ? null : new Replay(sub, options.start());
        synchronized (registry) {
            subs.add(sub);
            for (TopicState t : topics.values()) {
                if (selector.matches(t.name)) {
                    synchronized (t) {
                        Sub[] current = t.subs;
                        Sub[] next = Arrays.copyOf(current, current.length + 1);
                        next[current.length] = sub;
                        t.subs = next;
                        if (replay != null) {
                            replay.add(t.log, t.log.last());
                        }
                    }
                }
            }
        }
        if (replay != null) {
            outbox.prefix(replay);
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
                    synchronized (t) {
                        Sub[] current = t.subs;
                        List<Sub> next = new ArrayList<>(Arrays.asList(current));
                        next.remove(sub);
                        t.subs = next.toArray(NO_SUBS);
                    }
                }
            }
        }
    }

    /**
     * Stored messages of the matching topics from the start position to where each topic stood when
     * the subscription was registered, in timestamp order across topics. Read lazily, at demand.
     */
    private final class Replay implements Supplier<@Nullable Message<?>> {
        private final Sub sub;
        private final Start start;
        private final PriorityQueue<Cursor> cursors = new PriorityQueue<>();

        Replay(Sub sub, Start start) {
            this.sub = sub;
            this.start = start;
        }

        synchronized void add(TopicLog log, long end) {
            long from =
                    switch (start.kind()) {
                        case LATEST -> end;
                        case EARLIEST -> 1;
                        case SEQUENCE -> start.sequence();
                        case TIME -> log.sequenceAt(Clock.toNanos(start.time()));
                        case NEW -> end + 1;
                    };
            Cursor c = new Cursor(log, Math.max(from, 1), end);
            if (c.advance()) {
                cursors.add(c);
            }
        }

        @Override
        public synchronized @Nullable Message<?> get() {
            for (; ; ) {
                Cursor c = cursors.poll();
                if (c == null) {
                    return null;
                }
                Message<?> m = c.current;
                if (c.advance()) {
                    cursors.add(c);
                }
                if (m == null || (m.expiresAtNanos() != 0 && m.expiresAtNanos() <= engine.now())) {
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
        long next;
        final long end;

        @Nullable
        Message<?> current;

        Cursor(TopicLog log, long next, long end) {
            this.log = log;
            this.next = next;
            this.end = end;
        }

        /** Moves to the next retained message up to {@code end}; false when there is none. */
        boolean advance() {
            while (next <= end) {
                Message<?> m = log.read(next);
                if (m == null) {
                    long first = log.first();
                    if (first == 0 || first > end) {
                        next = end + 1; // evicted meanwhile: the rest is gone
                        break;
                    }
                    if (first > next) {
                        next = first;
                        continue;
                    }
                    next++;
                    continue;
                }
                next++;
                current = m;
                return true;
            }
            current = null;
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
            List<Waiter> waiting;
            synchronized (t) {
                waiting = List.copyOf(t.waiters);
                t.waiters.clear();
            }
            for (Waiter w : waiting) {
                w.sink.error(engine.closedError());
            }
        }
    }

    /** Publishes on behalf of the engine itself (dead letters), without interceptors. */
    void publishInternal(String topic, Object value, Fields fields) {
        publish(topic, value, fields).subscribe(r -> {}, e -> {});
    }
}
