package io.daak.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The point-to-point part of the in-process engine: competing receivers, acknowledgements, ack
 * deadlines, redelivery and dead letters.
 *
 * <p>Each queue has a monitor that guards its waiting messages, its in-flight deliveries and its
 * receivers. A message is handed to a receiver only against that receiver's unfilled demand, so a
 * receiver never holds more than it asked for. Timers run on the engine's scheduler.
 *
 * <p>Thread-safe.
 */
final class Queues {

    private static final Logger log = LoggerFactory.getLogger(Queues.class);

    /** Header names on dead-lettered messages. */
    static final String DEAD_LETTER_QUEUE = "daak-dead-letter-queue";

    static final String DEAD_LETTER_REASON = "daak-dead-letter-reason";
    static final String DEAD_LETTER_ATTEMPTS = "daak-dead-letter-attempts";

    private final Engine engine;
    private final Topics topics;
    private final ConcurrentHashMap<String, QueueState> queues = new ConcurrentHashMap<>();

    Queues(Engine engine, Topics topics) {
        this.engine = engine;
        this.topics = topics;
    }

    /** A message waiting in or travelling through a queue. */
    static final class Pending implements Comparable<Pending> {
        final Message<Object> message;
        int attempts;

        Pending(Message<Object> message) {
            this.message = message;
        }

        @Override
        public int compareTo(Pending o) {
            int byPriority = Integer.compare(o.message.priority(), message.priority());
            return byPriority != 0 ? byPriority : Long.compare(message.sequence(), o.message.sequence());
        }
    }

    /** A receiver: its outbox and the type it receives as. */
    static final class Receiver {
        final Outbox<Delivery<?>> outbox;
        final Class<?> type;

        Receiver(Outbox<Delivery<?>> outbox, Class<?> type) {
            this.outbox = outbox;
            this.type = type;
        }

        /** Whether this receiver can take the value; checked before a delivery counts as an attempt. */
        boolean accepts(Object value) {
            return type.isAssignableFrom(typeOf(value));
        }

        DaakException mismatch(String queue, Object value) {
            return new DaakException(
                    "queue '" + queue + "' holds " + typeOf(value).getName()
                            + " values but was received as " + type.getName()
                            + "; use a Queue with the type it was sent with (the message stays in the queue)");
        }

        private static Class<?> typeOf(Object value) {
            return value instanceof EncodedValue ev ? ev.type() : value.getClass();
        }
    }

    /** A delivery handed to a receiver and not yet settled. */
    final class InFlight implements Delivery<Object> {
        final QueueState queue;
        final Pending pending;
        final Receiver receiver;
        final int attempt;
        final long id;
        volatile Disposable timer = Disposables.NEVER;

        InFlight(QueueState queue, Pending pending, Receiver receiver, long id) {
            this.queue = queue;
            this.pending = pending;
            this.receiver = receiver;
            this.attempt = pending.attempts;
            this.id = id;
        }

        @Override
        public Message<Object> message() {
            return pending.message;
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public void ack() {
            queue.settle(id, null);
        }

        @Override
        public void nack() {
            queue.settle(id, "nacked by the receiver");
        }

        @Override
        public String toString() {
            return "Delivery[" + queue.config.name() + "#" + pending.message.sequence() + " attempt " + attempt + "]";
        }
    }

    /** A no-op disposable for deliveries whose timer has not been set. */
    private enum Disposables implements Disposable {
        NEVER;

        @Override
        public void dispose() {}
    }

    /** One queue; everything but {@link #config} is guarded by its monitor. */
    final class QueueState {
        final Queue<?> config;
        final PriorityQueue<Pending> ready = new PriorityQueue<>();
        final Map<Long, InFlight> inFlight = new HashMap<>();
        final List<Receiver> receivers = new ArrayList<>();
        long sequence;
        long deliveryIds;
        int next;

        QueueState(Queue<?> config) {
            this.config = config;
        }

        void send(Object value, Fields fields) {
            if (engine.isClosed()) {
                throw engine.closedError();
            }
            synchronized (this) {
                if (ready.size() + inFlight.size() >= config.capacity()) {
                    long now = engine.now();
                    ready.removeIf(p -> p.message.expiresAtNanos() != 0 && p.message.expiresAtNanos() <= now);
                }
                if (ready.size() + inFlight.size() >= config.capacity()) {
                    throw new DaakException("queue '" + config.name() + "' is full: it holds " + config.capacity()
                            + " messages (waiting or unacknowledged); receive faster or raise its capacity");
                }
                long ts = fields.timestamp() != null ? Clock.toNanos(fields.timestamp()) : engine.now();
                long expires = fields.ttl() == null ? 0 : ts + fields.ttl().toNanos();
                ready.add(new Pending(new Message<>(config.name(), value, ++sequence, ts, expires, fields)));
            }
            dispatch();
        }

        /**
         * Hands waiting messages to receivers with unfilled demand, round robin. A receiver of another
         * type fails and leaves without the message counting an attempt.
         */
        void dispatch() {
            List<Receiver> toDrain = new ArrayList<>();
            List<Pending> expired = new ArrayList<>();
            List<Runnable> failures = new ArrayList<>(0);
            synchronized (this) {
                while (!ready.isEmpty() && !receivers.isEmpty()) {
                    Receiver target = null;
                    for (int i = 0; i < receivers.size(); i++) {
                        Receiver r = receivers.get((next + i) % receivers.size());
                        if (r.outbox.credit() > 0) {
                            target = r;
                            next = (next + i + 1) % receivers.size();
                            break;
                        }
                    }
                    if (target == null) {
                        break;
                    }
                    Pending p = ready.poll();
                    long exp = p.message.expiresAtNanos();
                    if (exp != 0 && exp <= engine.now()) {
                        expired.add(p);
                        continue;
                    }
                    if (!target.accepts(p.message.value())) {
                        ready.add(p);
                        receivers.remove(target);
                        Receiver wrong = target;
                        DaakException e = wrong.mismatch(config.name(), p.message.value());
                        failures.add(() -> wrong.outbox.fail(e));
                        continue;
                    }
                    p.attempts++;
                    InFlight d = new InFlight(this, p, target, ++deliveryIds);
                    inFlight.put(d.id, d);
                    if (target.outbox.offer(d, true) == Outbox.GONE) {
                        // It cancelled after its credit was read: the message was never handed over.
                        inFlight.remove(d.id);
                        p.attempts--;
                        ready.add(p);
                        receivers.remove(target);
                        continue;
                    }
                    d.timer = engine.scheduler()
                            .schedule(
                                    () -> settle(d.id, "not acknowledged within " + config.ackTimeout()),
                                    config.ackTimeout().toNanos(),
                                    TimeUnit.NANOSECONDS);
                    if (!toDrain.contains(target)) {
                        toDrain.add(target);
                    }
                }
            }
            for (Pending p : expired) {
                log.debug("queue '{}': message #{} expired before delivery", config.name(), p.message.sequence());
            }
            for (Receiver r : toDrain) {
                r.outbox.drain();
            }
            for (Runnable f : failures) {
                f.run();
            }
        }

        /**
         * Settles a delivery: acknowledged when {@code reason} is null, else returned for redelivery or
         * dead-lettered. Only the first settlement of a delivery counts.
         */
        void settle(long id, @org.jspecify.annotations.Nullable String reason) {
            InFlight d;
            boolean dead = false;
            synchronized (this) {
                d = inFlight.remove(id);
                if (d == null) {
                    return;
                }
                if (reason != null) {
                    if (d.pending.attempts >= config.maxDeliveries()) {
                        dead = true;
                    } else {
                        ready.add(d.pending);
                    }
                }
            }
            d.timer.dispose();
            if (dead) {
                deadLetter(d.pending, reason);
            }
            if (reason != null) {
                dispatch();
            }
        }

        private void deadLetter(Pending p, String reason) {
            log.debug(
                    "queue '{}': message #{} dead-lettered to '{}' after {} attempts: {}",
                    config.name(),
                    p.message.sequence(),
                    config.deadLetterTopic(),
                    p.attempts,
                    reason);
            Fields f = p.message
                    .fields()
                    .header(DEAD_LETTER_QUEUE, config.name())
                    .header(DEAD_LETTER_REASON, reason)
                    .header(DEAD_LETTER_ATTEMPTS, Integer.toString(p.attempts));
            topics.publishInternal(config.deadLetterTopic(), p.message.value(), f);
        }

        void add(Receiver r) {
            synchronized (this) {
                receivers.add(r);
            }
            dispatch();
        }

        /** A receiver left: everything it holds unacknowledged goes back to the queue. */
        void remove(Receiver r) {
            List<InFlight> returned = new ArrayList<>();
            synchronized (this) {
                receivers.remove(r);
                for (Iterator<InFlight> it = inFlight.values().iterator(); it.hasNext(); ) {
                    InFlight d = it.next();
                    if (d.receiver == r) {
                        returned.add(d);
                    }
                }
            }
            for (InFlight d : returned) {
                settle(d.id, "the receiver cancelled before acknowledging");
            }
            dispatch();
        }

        void close() {
            List<InFlight> all;
            List<Receiver> rs;
            synchronized (this) {
                all = List.copyOf(inFlight.values());
                rs = List.copyOf(receivers);
                inFlight.clear();
                ready.clear();
                receivers.clear();
            }
            for (InFlight d : all) {
                d.timer.dispose();
            }
            for (Receiver r : rs) {
                r.outbox.complete();
            }
        }
    }

    private QueueState queue(Queue<?> config) {
        return queues.computeIfAbsent(config.name(), n -> new QueueState(config));
    }

    Mono<Void> send(Queue<?> config, Object value, Fields fields) {
        return Mono.fromRunnable(() -> queue(config).send(value, fields));
    }

    <T> Flux<Delivery<T>> recv(Queue<T> config) {
        Class<T> type = config.type();
        Flux<Delivery<?>> raw = new Flux<>() {
            @Override
            public void subscribe(CoreSubscriber<? super Delivery<?>> actual) {
                if (engine.isClosed()) {
                    reactor.core.publisher.Operators.error(actual, engine.closedError());
                    return;
                }
                QueueState q = queue(config);
                Outbox<Delivery<?>> outbox = new Outbox<>(actual, Overflow.buffer(Integer.MAX_VALUE), config.name());
                Receiver r = new Receiver(outbox, type);
                outbox.onTerminate(() -> q.remove(r));
                outbox.onRequest(q::dispatch);
                actual.onSubscribe(outbox);
                q.add(r);
                if (outbox.isTerminated()) {
                    q.remove(r);
                }
            }
        };
        return raw.map(d -> typed(d, type));
    }

    /** The delivery as its receiver's type; the dispatcher has checked that the type fits. */
    @SuppressWarnings("unchecked")
    private static <T> Delivery<T> typed(Delivery<?> d, Class<T> type) {
        Object v = d.message().value();
        if (!(v instanceof EncodedValue)) {
            return (Delivery<T>) d;
        }
        Message<T> decoded =
                d.message().withValue(EncodedValue.open("queue '" + d.message().topic() + "'", v, type));
        return new Delivery<>() {
            @Override
            public Message<T> message() {
                return decoded;
            }

            @Override
            public int attempt() {
                return d.attempt();
            }

            @Override
            public void ack() {
                d.ack();
            }

            @Override
            public void nack() {
                d.nack();
            }
        };
    }

    void close() {
        for (QueueState q : queues.values()) {
            q.close();
        }
    }
}
