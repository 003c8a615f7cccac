package io.daak.tracing;

import io.daak.core.Delivery;
import io.daak.core.Interceptor;
import io.daak.core.Invocation;
import io.daak.core.Message;
import io.daak.core.PublishResult;
import io.daak.core.RawValue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.core.publisher.SignalType;
import reactor.util.context.Context;

/**
 * Micrometer metrics for every pattern, as an {@link Interceptor}: install it in an engine
 * ({@code LocalOptions.interceptor}, which is how a node counts all its traffic) or around any handle
 * ({@code Daak.intercepted}).
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * DaakMetrics metrics = DaakMetrics.builder(registry).topicTag(t -> t.startsWith("sensors/") ? "sensors" : "app").build();
 * Daak daak = Daak.intercepted(Daak.connect("tcp://localhost:7878"), metrics);
 * }</pre>
 *
 * <h2>Meters</h2>
 *
 * <table>
 *   <caption>meters and their tags</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>daak.messages.published</td><td>counter</td><td>topic</td><td>messages published</td></tr>
 *   <tr><td>daak.bytes.published</td><td>counter</td><td>topic</td><td>their encoded size (when known: raw
 *       values, byte arrays, strings)</td></tr>
 *   <tr><td>daak.messages.dropped</td><td>counter</td><td>topic</td><td>copies dropped by full subscribers
 *       ({@link PublishResult#dropped()})</td></tr>
 *   <tr><td>daak.messages.delivered</td><td>function counter</td><td>topic</td><td>messages handed to
 *       subscribers</td></tr>
 *   <tr><td>daak.bytes.delivered</td><td>counter</td><td>topic</td><td>their encoded size</td></tr>
 *   <tr><td>daak.delivery.latency</td><td>function timer (count, total); a timer with max and histogram with
 *       {@link Builder#latencyHistogram(boolean)}</td><td>topic</td><td>publish-to-delivery time, from the
 *       message timestamp (negative across skewed clocks: counted as 0)</td></tr>
 *   <tr><td>daak.delivery.gaps</td><td>counter</td><td>topic</td><td>messages a subscriber missed (gaps in
 *       the sequence: dropped or expired)</td></tr>
 *   <tr><td>daak.subscriptions.active</td><td>gauge</td><td></td><td>open subscriptions</td></tr>
 *   <tr><td>daak.subscriptions.backlog</td><td>gauge</td><td>topic (of the selector's pattern)</td><td>messages
 *       buffered for the open subscriptions and not yet delivered (in an in-process engine or a node's: the
 *       engine's subscription buffers, see {@code Interceptor})</td></tr>
 *   <tr><td>daak.queue.sent / received / redeliveries</td><td>counter</td><td>queue</td><td>queue traffic</td></tr>
 *   <tr><td>daak.queue.depth</td><td>gauge</td><td>queue</td><td>sent, not yet delivered (as this handle
 *       sees it: exact in a node's engine)</td></tr>
 *   <tr><td>daak.request</td><td>timer</td><td>service, kind, outcome</td><td>requests made (request,
 *       stream, channel)</td></tr>
 *   <tr><td>daak.handle</td><td>timer</td><td>service, outcome</td><td>requests answered by a handler</td></tr>
 *   <tr><td>daak.kv.operations</td><td>counter</td><td>operation</td><td>put, get, delete</td></tr>
 *   <tr><td>daak.connections</td><td>gauge</td><td></td><td>a node's client connections
 *       ({@link #bindConnections})</td></tr>
 * </table>
 *
 * <p>Cardinality stays bounded: a topic's tag is the topic-tag function's value (by default its first
 * segment), and after {@code maxTopicTags} distinct values every new one is counted as {@code other}.
 * Services are limited the same way.
 *
 * <p>Thread-safe.
 */
public final class DaakMetrics implements Interceptor {

    private final MeterRegistry registry;
    private final TagLimiter topics;
    private final TagLimiter services;
    private final boolean latencyHistogram;
    private final Map<String, TopicMeters> topicMeters = new ConcurrentHashMap<>();
    /** Topic name to its meters, for the topics seen first (bounded, so unbounded names cost no memory). */
    private final Map<String, TopicMeters> byTopic = new ConcurrentHashMap<>();

    private static final int TOPICS_REMEMBERED = 10_000;
    private final Map<String, QueueMeters> queueMeters = new ConcurrentHashMap<>();
    private final Map<String, Backlog> backlogs = new ConcurrentHashMap<>();
    private final AtomicInteger subscriptions = new AtomicInteger();
    /** The topic looked up last (plain field: any thread's last value will do, it is only a shortcut). */
    private @Nullable LastTopic lastPublished;

    private DaakMetrics(Builder b) {
        this.registry = b.registry;
        this.topics = new TagLimiter(b.topicTag, b.maxTopicTags);
        this.services = new TagLimiter(Function.identity(), b.maxServiceTags);
        this.latencyHistogram = b.latencyHistogram;
        Gauge.builder("daak.subscriptions.active", subscriptions, AtomicInteger::get)
                .description("open subscriptions")
                .register(registry);
    }

    /**
     * Starts building metrics on a registry.
     *
     * @param registry where the meters go
     * @return the builder
     */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * Metrics with the defaults: topic tag = first segment, at most 100 topic tags.
     *
     * @param registry where the meters go
     * @return the interceptor
     */
    public static DaakMetrics of(MeterRegistry registry) {
        return builder(registry).build();
    }

    /**
     * Registers the {@code daak.connections} gauge, e.g. {@code metrics.bindConnections(node::connections)}.
     *
     * @param connections reads the current number of connections
     * @return this
     */
    public DaakMetrics bindConnections(Supplier<? extends Number> connections) {
        Objects.requireNonNull(connections, "connections");
        Gauge.builder("daak.connections", connections, s -> s.get().doubleValue())
                .description("client connections of the node")
                .strongReference(true)
                .register(registry);
        return this;
    }

    /**
     * The registry the meters are in.
     *
     * @return the registry
     */
    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
        return switch (call.operation()) {
            case PUBLISH -> published(call, next);
            case SUBSCRIBE -> subscribed(call, next);
            case SEND -> sent(call, next);
            case RECV -> received(call, next);
            case REQUEST, REQUEST_STREAM, CHANNEL -> timed("daak.request", call, next);
            case HANDLE -> timed("daak.handle", call, next);
            case PUT, GET, DELETE -> {
                Counter.builder("daak.kv.operations")
                        .tag("operation", call.operation().name().toLowerCase(java.util.Locale.ROOT))
                        .register(registry)
                        .increment();
                yield next.apply(call);
            }
            default -> next.apply(call);
        };
    }

    private <R> Publisher<R> published(Invocation call, Function<Invocation, Publisher<R>> next) {
        TopicMeters m = topic(call.target());
        long size = sizeOf(call.value());
        Publisher<R> result = next.apply(call);
        return new Flux<R>() {
            @Override
            public void subscribe(CoreSubscriber<? super R> actual) {
                InnerSubscribe.to(result, new PublishMeter<>(actual, m, size));
            }
        };
    }

    private <R> Publisher<R> subscribed(Invocation call, Function<Invocation, Publisher<R>> next) {
        Backlog backlog = backlog(call.target());
        return new Flux<R>() {
            @Override
            public void subscribe(CoreSubscriber<? super R> actual) {
                Publisher<R> messages;
                try {
                    messages = next.apply(call);
                } catch (RuntimeException e) {
                    Operators.error(actual, Operators.onOperatorError(e, actual.currentContext()));
                    return;
                }
                InnerSubscribe.to(messages, new DeliveryMeter<>(actual, backlog));
            }
        };
    }

    /**
     * A pass-through subscriber: the base of the two operators that count what goes by, one object per
     * subscription instead of a chain of {@code doOn...} operators. Scannable, so that buffers above it
     * stay visible. Signals are serialised by the Reactive Streams rules; {@link #end()} runs at most once.
     */
    private abstract static class Meter<R> implements CoreSubscriber<R>, Subscription, Scannable {
        private static final VarHandle ENDED;

        static {
            try {
                ENDED = MethodHandles.lookup().findVarHandle(Meter.class, "ended", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final CoreSubscriber<? super R> actual;

        @Nullable
        Subscription upstream;

        private volatile int ended;

        Meter(CoreSubscriber<? super R> actual) {
            this.actual = actual;
        }

        /** Sees an element before it is passed on. */
        abstract void element(R element);

        /** Runs once, when the subscription completes, fails or is cancelled. */
        void ended() {}

        private void end() {
            if (ENDED.compareAndSet(this, 0, 1)) {
                ended();
            }
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
        public void onNext(R element) {
            element(element);
            actual.onNext(element);
        }

        @Override
        public void onError(Throwable t) {
            end();
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            end();
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            Subscription s = upstream;
            if (s != null) {
                s.request(n);
            }
        }

        @Override
        public void cancel() {
            end();
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public @Nullable Object scanUnsafe(Attr key) {
            if (key == Attr.PARENT) {
                return upstream;
            }
            if (key == Attr.ACTUAL) {
                return actual;
            }
            return null;
        }
    }

    /** Counts a publish when its result arrives (with the drops it reports). */
    private static final class PublishMeter<R> extends Meter<R> {
        private final TopicMeters meters;
        private final long size;

        PublishMeter(CoreSubscriber<? super R> actual, TopicMeters meters, long size) {
            super(actual);
            this.meters = meters;
            this.size = size;
        }

        @Override
        void element(R r) {
            meters.published.increment();
            if (size >= 0) {
                meters.bytesPublished.increment(size);
            }
            if (r instanceof PublishResult p && p.dropped() > 0) {
                meters.dropped.increment(p.dropped());
            }
        }
    }

    /**
     * Counts one subscription's deliveries. It remembers the last topic's meters (a subscription mostly
     * sees one topic, so most messages need no map lookup), the gaps in each topic's sequence, and its
     * buffers' view for the backlog gauge while it lives.
     */
    private final class DeliveryMeter<R> extends Meter<R> {
        private final Backlog backlog;
        private final SequenceGaps gaps = new SequenceGaps();
        private @Nullable String lastTopic;
        private @Nullable TopicMeters lastMeters;
        /** Set on subscribe, read when the subscription ends, perhaps on another thread. */
        private volatile @Nullable Scannable buffers;

        DeliveryMeter(CoreSubscriber<? super R> actual, Backlog backlog) {
            super(actual);
            this.backlog = backlog;
            subscriptions.incrementAndGet();
        }

        @Override
        public void onSubscribe(Subscription s) {
            buffers = backlog.add(s);
            super.onSubscribe(s);
        }

        @Override
        void element(R r) {
            if (r instanceof Message<?> msg) {
                delivered(msg);
            }
        }

        @Override
        void ended() {
            subscriptions.decrementAndGet();
            backlog.remove(buffers);
        }

        private void delivered(Message<?> msg) {
            String topic = msg.topic();
            TopicMeters m = lastMeters;
            if (m == null || !topic.equals(lastTopic)) {
                m = topic(topic);
                lastTopic = topic;
                lastMeters = m;
            }
            long size = sizeOf(msg.value());
            if (size >= 0) {
                m.bytesDelivered.increment(size);
            }
            Instant now = Instant.now();
            // Clock skew between hosts can make it negative: counted as 0, so that every delivery is counted once.
            long latency = Math.max(0, now.getEpochSecond() * 1_000_000_000L + now.getNano() - msg.timestampNanos());
            m.delivered(latency);
            long missed = gaps.missedBefore(topic, msg.sequence());
            if (missed > 0) {
                m.gaps.increment(missed);
            }
        }
    }

    private Backlog backlog(String pattern) {
        String tag = topics.tag(pattern);
        Backlog b = backlogs.get(tag);
        return b != null ? b : backlogs.computeIfAbsent(tag, t -> new Backlog(registry, t));
    }

    /**
     * The live subscriptions of one topic tag, for the {@code daak.subscriptions.backlog} gauge: the sum
     * of what is buffered for each and not yet delivered, read when the gauge is read (nothing per
     * message). A subscription's buffers are found through Reactor's {@link Scannable} view: every
     * {@code BUFFERED} along the chain of {@code PARENT}s above the metrics' operator (the engine's
     * subscription buffer, and the queues of operators in between).
     */
    private static final class Backlog {
        /** How many steps up the chain are looked at: a bound against a cycle. */
        private static final int MAX_DEPTH = 32;

        private final Set<Scannable> live = ConcurrentHashMap.newKeySet();

        Backlog(MeterRegistry r, String topic) {
            Gauge.builder("daak.subscriptions.backlog", this, Backlog::buffered)
                    .description("messages buffered for subscribers and not yet delivered")
                    .tag("topic", topic)
                    .strongReference(true)
                    .register(r);
        }

        Scannable add(Subscription s) {
            Scannable view = Scannable.from(s);
            if (view.isScanAvailable()) {
                live.add(view);
            }
            return view;
        }

        void remove(@Nullable Scannable view) {
            if (view != null) {
                live.remove(view);
            }
        }

        double buffered() {
            long sum = 0;
            for (Scannable s : live) {
                Scannable step = s;
                for (int i = 0; i < MAX_DEPTH && step != null && step.isScanAvailable(); i++) {
                    if (step.scanUnsafe(Scannable.Attr.BUFFERED) instanceof Number n) {
                        sum += n.longValue();
                    }
                    step = step.scanUnsafe(Scannable.Attr.PARENT) instanceof Scannable parent ? parent : null;
                }
            }
            return sum;
        }
    }

    private <R> Publisher<R> sent(Invocation call, Function<Invocation, Publisher<R>> next) {
        QueueMeters m = queue(call.target());
        return Flux.from(next.apply(call)).doOnComplete(() -> {
            m.sent.increment();
            m.depth.incrementAndGet();
        });
    }

    private <R> Publisher<R> received(Invocation call, Function<Invocation, Publisher<R>> next) {
        QueueMeters m = queue(call.target());
        return Flux.from(next.apply(call)).doOnNext(r -> {
            if (r instanceof Delivery<?> d) {
                m.received.increment();
                if (d.attempt() > 1) {
                    m.redeliveries.increment();
                } else if (m.depth.get() > 0) {
                    m.depth.decrementAndGet();
                }
            }
        });
    }

    private <R> Publisher<R> timed(String name, Invocation call, Function<Invocation, Publisher<R>> next) {
        String service = services.tag(call.target());
        String kind = call.operation().name().toLowerCase(java.util.Locale.ROOT);
        return Flux.defer(() -> {
            Timer.Sample sample = Timer.start(registry);
            return Flux.from(next.apply(call)).doFinally(s -> {
                String outcome =
                        s == SignalType.ON_COMPLETE ? "success" : s == SignalType.ON_ERROR ? "error" : "cancel";
                Timer.Builder b = Timer.builder(name).tag("service", service).tag("outcome", outcome);
                if (name.equals("daak.request")) {
                    b.tag("kind", kind);
                }
                sample.stop(b.register(registry));
            });
        });
    }

    /** The encoded size of a value when it can be told without encoding it, else -1. */
    static long sizeOf(Object value) {
        if (value instanceof RawValue raw) {
            return raw.bytes().length;
        }
        if (value instanceof byte[] bytes) {
            return bytes.length;
        }
        if (value instanceof CharSequence s) {
            return s.length();
        }
        return -1;
    }

    private TopicMeters topic(String topic) {
        LastTopic last = lastPublished;
        if (last != null && last.name.equals(topic)) { // the same topic again: no hashing, no map
            return last.meters;
        }
        TopicMeters m = byTopic.get(topic);
        if (m != null) {
            return m;
        }
        String tag = topics.tag(topic);
        m = topicMeters.computeIfAbsent(tag, t -> new TopicMeters(registry, t, latencyHistogram));
        if (byTopic.size() < TOPICS_REMEMBERED) {
            byTopic.put(topic, m);
        }
        lastPublished = new LastTopic(topic, m);
        return m;
    }

    /** A topic name and its meters, immutable so that a racy read of {@link #lastPublished} is safe. */
    private record LastTopic(String name, TopicMeters meters) {}

    private QueueMeters queue(String queue) {
        String tag = topics.tag(queue);
        QueueMeters m = queueMeters.get(tag);
        return m != null ? m : queueMeters.computeIfAbsent(tag, t -> new QueueMeters(registry, t));
    }

    /**
     * The meters of one topic tag, looked up once. Deliveries are counted once, in {@link #deliveredCount},
     * which is both {@code daak.messages.delivered} and the latency timer's count; the latency is a sum
     * (a {@link FunctionTimer}: count and total, no per-message clock read or max), or with
     * {@link Builder#latencyHistogram(boolean)} a full {@link Timer} with max and histogram buckets.
     */
    private static final class TopicMeters {
        final Counter published;
        final Counter bytesPublished;
        final Counter dropped;
        final LongAdder deliveredCount = new LongAdder();
        final LongAdder latencyNanos = new LongAdder();
        final Counter bytesDelivered;
        final Counter gaps;
        final @Nullable Timer latencyTimer;

        TopicMeters(MeterRegistry r, String topic, boolean histogram) {
            published = Counter.builder("daak.messages.published")
                    .tag("topic", topic)
                    .register(r);
            bytesPublished = Counter.builder("daak.bytes.published")
                    .baseUnit("bytes")
                    .tag("topic", topic)
                    .register(r);
            dropped =
                    Counter.builder("daak.messages.dropped").tag("topic", topic).register(r);
            FunctionCounter.builder("daak.messages.delivered", deliveredCount, LongAdder::doubleValue)
                    .tag("topic", topic)
                    .register(r);
            bytesDelivered = Counter.builder("daak.bytes.delivered")
                    .baseUnit("bytes")
                    .tag("topic", topic)
                    .register(r);
            gaps = Counter.builder("daak.delivery.gaps").tag("topic", topic).register(r);
            if (histogram) {
                latencyTimer = Timer.builder("daak.delivery.latency")
                        .tag("topic", topic)
                        .publishPercentileHistogram()
                        .register(r);
            } else {
                latencyTimer = null;
                FunctionTimer.builder(
                                "daak.delivery.latency",
                                this,
                                m -> m.deliveredCount.sum(),
                                m -> m.latencyNanos.sum(),
                                TimeUnit.NANOSECONDS)
                        .tag("topic", topic)
                        .register(r);
            }
        }

        void delivered(long latencyNanos) {
            deliveredCount.increment();
            Timer timer = latencyTimer;
            if (timer != null) {
                timer.record(latencyNanos, TimeUnit.NANOSECONDS);
            } else {
                this.latencyNanos.add(latencyNanos);
            }
        }
    }

    /** The meters of one queue tag. */
    private static final class QueueMeters {
        final Counter sent;
        final Counter received;
        final Counter redeliveries;
        final AtomicLong depth = new AtomicLong();

        QueueMeters(MeterRegistry r, String queue) {
            sent = Counter.builder("daak.queue.sent").tag("queue", queue).register(r);
            received =
                    Counter.builder("daak.queue.received").tag("queue", queue).register(r);
            redeliveries = Counter.builder("daak.queue.redeliveries")
                    .tag("queue", queue)
                    .register(r);
            Gauge.builder("daak.queue.depth", depth, AtomicLong::get)
                    .tag("queue", queue)
                    .register(r);
        }
    }

    /** Settings of {@link DaakMetrics}. Not thread-safe. */
    public static final class Builder {
        private final MeterRegistry registry;
        private Function<String, String> topicTag = TagLimiter::firstSegment;
        private int maxTopicTags = 100;
        private int maxServiceTags = 100;
        private boolean latencyHistogram;

        private Builder(MeterRegistry registry) {
            this.registry = registry;
        }

        /**
         * How a topic (or queue) name becomes its tag value, e.g. a selector group's name. By default its
         * first segment ({@code sensors/imu/1 -> sensors}); {@code Function.identity()} tags every topic.
         *
         * @param topicTag maps a topic name to its tag value
         * @return this
         */
        public Builder topicTag(Function<String, String> topicTag) {
            this.topicTag = Objects.requireNonNull(topicTag, "topicTag");
            return this;
        }

        /**
         * How many distinct topic tag values at most; later ones are tagged {@code other}. 100 by default.
         *
         * @param max at least 1
         * @return this
         */
        public Builder maxTopicTags(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxTopicTags=" + max + " must be at least 1");
            }
            this.maxTopicTags = max;
            return this;
        }

        /**
         * How many distinct service tag values at most; later ones are tagged {@code other}. 100 by default.
         *
         * @param max at least 1
         * @return this
         */
        public Builder maxServiceTags(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxServiceTags=" + max + " must be at least 1");
            }
            this.maxServiceTags = max;
            return this;
        }

        /**
         * Whether {@code daak.delivery.latency} is a full {@link Timer} (max, percentile histogram buckets)
         * instead of the default count and total. The full timer costs more per message: a clock read and
         * a compare-and-set for the max, and a bucket update.
         *
         * @param histogram true for the full timer
         * @return this
         */
        public Builder latencyHistogram(boolean histogram) {
            this.latencyHistogram = histogram;
            return this;
        }

        /**
         * Builds the interceptor (and registers its gauges).
         *
         * @return the metrics
         */
        public DaakMetrics build() {
            return new DaakMetrics(this);
        }
    }
}
