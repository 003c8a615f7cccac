package io.daak.benchmarks.net;

import io.daak.benchmarks.Warmup;
import io.daak.core.Daak;
import io.daak.core.Overflow;
import io.daak.core.Publication;
import io.daak.core.PublishResult;
import io.daak.core.Selector;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Publish to subscribe throughput over loopback: one publisher client, {@code n} subscriber clients
 * (each its own connection), 128-byte payloads, through a server (the Daak node or nats-server).
 *
 * <p>Flow control is the same for every system: the publisher runs at most {@link #WINDOW} messages
 * ahead of the slowest subscriber (counted when the subscriber's callback has the message), and
 * parks until that falls to half. Neither Daak's fire-and-forget publish nor NATS's publish is
 * back-pressured by subscribers, so without a window the run would measure buffer growth. Each
 * measurement: publish for the warm-up time, wait until every subscriber has everything, then publish
 * for the measurement time and stop the clock when every subscriber has every message. Throughput is
 * messages published per second; deliveries per second are that times the subscribers. A lost message
 * fails the run. Not thread-safe: one run at a time.
 */
final class PubSubThroughput {

    /** Payload bytes per message. */
    static final int PAYLOAD = 128;

    /** How far the publisher may run ahead of the slowest subscriber, in messages (2 MiB of payload). */
    static final long WINDOW = 16_384;

    /** First payload byte of a measured message; probes that check the subscriptions carry another. */
    static final byte DATA = 1;

    static final byte PROBE = 0;

    private static final int BATCH = 256;
    private static final Duration STALL = Duration.ofSeconds(30);

    private PubSubThroughput() {}

    /** Counts per subscriber and the first failure any of them saw. Thread-safe. */
    static final class Receivers {
        final AtomicLong[] counts;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Receivers(int n) {
            counts = new AtomicLong[n];
            for (int i = 0; i < n; i++) {
                counts[i] = new AtomicLong();
            }
        }

        /** Counts a received payload of subscriber {@code i}, unless it is a probe. */
        void received(int i, byte[] payload) {
            if (payload.length > 0 && payload[0] == DATA) {
                counts[i].incrementAndGet();
            }
        }

        void failed(Throwable e) {
            failure.compareAndSet(null, e);
        }

        long min() {
            long min = Long.MAX_VALUE;
            for (AtomicLong c : counts) {
                min = Math.min(min, c.get());
            }
            return min;
        }

        void check() {
            Throwable e = failure.get();
            if (e != null) {
                throw new IllegalStateException("a subscriber or the publisher failed: " + e, e);
            }
        }
    }

    /** A publisher and subscribers whose subscriptions are in place when it is returned. */
    interface Target extends AutoCloseable {
        /**
         * Publishes one message.
         *
         * @return false when the client refused it (not counted; retried)
         */
        boolean publish(byte[] payload);

        @Override
        void close();
    }

    /** Opens a target. */
    @FunctionalInterface
    interface TargetFactory {
        Target open(int subscribers, Receivers receivers) throws Exception;
    }

    /**
     * One measurement.
     *
     * @param system what ran (the table's row)
     * @param subscribers subscriber clients
     * @param messages messages published in the measurement
     * @param seconds from the first publish to the last delivery
     * @param cpu CPUs in use during the measurement
     */
    record Result(String system, int subscribers, long messages, double seconds, CpuMeter.Usage cpu) {
        double messagesPerSecond() {
            return messages / seconds;
        }

        double deliveriesPerSecond() {
            return messagesPerSecond() * subscribers;
        }
    }

    /**
     * A system to measure.
     *
     * @param system its name in the report
     * @param serverPid its server's process, whose CPU time is measured
     * @param factory opens its publisher and subscribers
     */
    record Named(String system, long serverPid, TargetFactory factory) {}

    /** The longest turn of one system before the next system's turn. */
    static final Duration TURN = Duration.ofSeconds(1);

    /**
     * Measures several systems with the same subscriber count taking turns: one {@link #TURN} of
     * publishing each (every turn ends when its subscribers have everything), the order rotating
     * every round, first for the warm-up and then for the measurement time each. Measured one after
     * the other, systems met different conditions on this VM (other processes, the machine's state),
     * which moved ratios by 10-30 %; taking turns gives every system the same conditions. Each
     * system's messages, time and CPU are its own turns'.
     *
     * @param maxMessages messages published at most in one turn
     */
    static List<Result> runTakingTurns(
            List<Named> systems, int subscribers, Warmup warmup, Duration measure, long maxMessages) throws Exception {
        byte[] payload = new byte[PAYLOAD];
        new java.util.Random(42).nextBytes(payload);
        payload[0] = DATA;
        List<Turns> open = new ArrayList<>();
        try {
            for (Named n : systems) {
                Receivers receivers = new Receivers(subscribers);
                open.add(new Turns(n, n.factory().open(subscribers, receivers), receivers));
            }
            String names = systems.stream().map(Named::system).toList() + " " + subscribers;
            warmup.run(names, time -> rounds(open, payload, time, maxMessages, false));
            rounds(open, payload, measure, maxMessages, true);
            List<Result> results = new ArrayList<>();
            for (Turns t : open) {
                results.add(new Result(t.named.system(), subscribers, t.measured, t.cpu.seconds(), t.cpu.usage()));
            }
            return results;
        } finally {
            for (Turns t : open) {
                t.target.close();
            }
        }
    }

    /** One system's target and what its turns measured. */
    private static final class Turns {
        final Named named;
        final Target target;
        final Receivers receivers;
        final CpuMeter.Tally cpu = new CpuMeter.Tally();
        long published;
        long measured;

        Turns(Named named, Target target, Receivers receivers) {
            this.named = named;
            this.target = target;
            this.receivers = receivers;
        }
    }

    /** Rounds of turns, each system publishing about {@code time} in all; tallied when {@code measured}. */
    private static void rounds(List<Turns> systems, byte[] payload, Duration time, long max, boolean measured) {
        Duration turn = time.compareTo(TURN) < 0 ? time : TURN;
        long rounds = Math.max(1, Math.round((double) time.toNanos() / turn.toNanos()));
        int n = systems.size();
        for (long round = 0; round < rounds; round++) {
            for (int k = 0; k < n; k++) {
                Turns t = systems.get((int) ((round + k) % n));
                CpuMeter.Sample before = CpuMeter.sample(t.named.serverPid());
                long first = t.published;
                t.published = pump(t.target, t.receivers, payload, t.published, turn, max);
                awaitAll(t.receivers, t.published);
                if (measured) {
                    t.cpu.add(before, CpuMeter.sample(t.named.serverPid()));
                    t.measured += t.published - first;
                }
            }
        }
    }

    private static long pump(
            Target target, Receivers receivers, byte[] payload, long published, Duration time, long max) {
        long deadline = System.nanoTime() + time.toNanos();
        long limit = max > Long.MAX_VALUE - published ? Long.MAX_VALUE : published + max;
        long count = published;
        do {
            for (int i = 0; i < BATCH; i++) {
                while (!target.publish(payload)) {
                    receivers.check();
                    LockSupport.parkNanos(50_000);
                }
                count++;
            }
            if (count - receivers.min() > WINDOW) {
                long stall = System.nanoTime() + STALL.toNanos();
                while (count - receivers.min() > WINDOW / 2) {
                    receivers.check();
                    if (System.nanoTime() > stall) {
                        throw new IllegalStateException(lost(receivers, count));
                    }
                    LockSupport.parkNanos(20_000);
                }
            }
        } while (System.nanoTime() < deadline && count < limit);
        return count;
    }

    private static void awaitAll(Receivers receivers, long published) {
        long stall = System.nanoTime() + STALL.toNanos();
        while (receivers.min() < published) {
            receivers.check();
            if (System.nanoTime() > stall) {
                throw new IllegalStateException(lost(receivers, published));
            }
            LockSupport.parkNanos(20_000);
        }
        for (AtomicLong c : receivers.counts) {
            if (c.get() != published) {
                throw new IllegalStateException(
                        "a subscriber received " + c.get() + " of " + published + " messages: duplicates");
            }
        }
    }

    private static String lost(Receivers receivers, long published) {
        StringBuilder b = new StringBuilder(
                "no progress for " + STALL.toSeconds() + " s: published " + published + ", received per subscriber");
        for (AtomicLong c : receivers.counts) {
            b.append(' ').append(c.get());
        }
        return b.append(" (messages lost)").toString();
    }

    // ------------------------------------------------------------------ Daak

    /**
     * The topic of one Daak target with {@code n} subscribers: targets that take turns, and the cases
     * one after the other, never share subscribers.
     */
    static Topic<byte[]> topic(String target, int n) {
        return Topic.of("bench/pubsub/" + target + "/" + n, byte[].class);
    }

    /** Room for everything the window lets through: the default BUFFER(1024) would fail the subscription. */
    static final SubscribeOptions SUBSCRIBE = SubscribeOptions.defaults().overflow(Overflow.buffer((int) (4 * WINDOW)));

    /** Daak: {@code publication(topic).tryPublish}, fire-and-forget frames. */
    static TargetFactory daakTryPublish(String uri) {
        return (n, receivers) -> {
            DaakClients clients = DaakClients.open(uri, topic("try", n), n, receivers);
            Publication<byte[]> publication = clients.publisher.publication(clients.topic);
            return new Target() {
                @Override
                public boolean publish(byte[] payload) {
                    return publication.tryPublish(payload);
                }

                @Override
                public void close() {
                    clients.close();
                }
            };
        };
    }

    /** Daak: {@code publishAll(topic, flux)}, one request-channel with a JSON result per message. */
    static TargetFactory daakPublishAll(String uri) {
        return (n, receivers) -> {
            DaakClients clients = DaakClients.open(uri, topic("all", n), n, receivers);
            CompletableFuture<FluxSink<byte[]>> sinks = new CompletableFuture<>();
            Flux<byte[]> values = Flux.create(sinks::complete, FluxSink.OverflowStrategy.BUFFER);
            Disposable results =
                    clients.publisher.publishAll(clients.topic, values).subscribe(r -> {}, receivers::failed, () -> {});
            FluxSink<byte[]> sink = sinks.get(10, TimeUnit.SECONDS);
            return new Target() {
                @Override
                public boolean publish(byte[] payload) {
                    sink.next(payload);
                    return true;
                }

                @Override
                public void close() {
                    sink.complete();
                    results.dispose();
                    clients.close();
                }
            };
        };
    }

    /** A publisher client and subscriber clients, each its own {@code Daak.connect}. */
    private static final class DaakClients {
        final Daak publisher;
        final Topic<byte[]> topic;
        final List<Daak> subscribers = new ArrayList<>();
        final List<Disposable> subscriptions = new ArrayList<>();

        private DaakClients(Daak publisher, Topic<byte[]> topic) {
            this.publisher = publisher;
            this.topic = topic;
        }

        static DaakClients open(String uri, Topic<byte[]> topic, int n, Receivers receivers) {
            DaakClients c = new DaakClients(Daak.connect(uri), topic);
            try {
                for (int i = 0; i < n; i++) {
                    Daak sub = Daak.connect(uri);
                    c.subscribers.add(sub);
                    int index = i;
                    c.subscriptions.add(sub.subscribe(Selector.of(topic.name(), byte[].class), SUBSCRIBE)
                            .subscribe(m -> receivers.received(index, m.value()), receivers::failed));
                }
                awaitMatched(c.publisher, topic, n);
                return c;
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }

        void close() {
            subscriptions.forEach(Disposable::dispose);
            subscribers.forEach(Daak::close);
            publisher.close();
        }
    }

    /**
     * Publishes probes (request-response, whose result counts the subscriptions that matched) until
     * {@code n} subscriptions are in place at the node.
     */
    static void awaitMatched(Daak publisher, Topic<byte[]> topic, int n) {
        byte[] probe = {PROBE};
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            PublishResult r = Objects.requireNonNull(
                    publisher.publish(topic, probe).block(Duration.ofSeconds(10)), "publish result");
            if (r.matched() >= n) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "only " + r.matched() + " of " + n + " subscriptions of '" + topic.name() + "' in place");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    // ------------------------------------------------------------------ NATS

    static final String SUBJECT = "bench.pubsub";

    static Options natsOptions(String url) {
        return new Options.Builder().server(url).maxReconnects(0).build();
    }

    /** NATS: {@code connection.publish(subject, bytes)}, subscribers on dispatchers. */
    static TargetFactory nats(String url) {
        return (n, receivers) -> {
            List<Connection> connections = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    Connection c = Nats.connect(natsOptions(url));
                    connections.add(c);
                    int index = i;
                    Dispatcher d = c.createDispatcher(m -> receivers.received(index, m.getData()));
                    d.subscribe(SUBJECT);
                    // The server has the subscription once it answered the flush's PING.
                    c.flush(Duration.ofSeconds(10));
                }
                Connection publisher = Nats.connect(natsOptions(url));
                connections.add(publisher);
                return new Target() {
                    @Override
                    public boolean publish(byte[] payload) {
                        publisher.publish(SUBJECT, payload);
                        return true;
                    }

                    @Override
                    public void close() {
                        closeAll(connections);
                    }
                };
            } catch (Exception e) {
                closeAll(connections);
                throw e;
            }
        };
    }

    static void closeAll(List<Connection> connections) {
        for (Connection c : connections) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
