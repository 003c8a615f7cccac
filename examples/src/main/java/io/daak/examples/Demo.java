package io.daak.examples;

import io.daak.core.Change;
import io.daak.core.Daak;
import io.daak.core.DaakException;
import io.daak.core.Delivery;
import io.daak.core.Entry;
import io.daak.core.Fields;
import io.daak.core.Interceptor;
import io.daak.core.Invocation;
import io.daak.core.Key;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.NoRespondersException;
import io.daak.core.Operation;
import io.daak.core.Overflow;
import io.daak.core.PublishResult;
import io.daak.core.Queue;
import io.daak.core.Registration;
import io.daak.core.Retention;
import io.daak.core.Selector;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.daak.core.Start;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A tour of every pattern of Daak's in-process engine, one short section each, printing what
 * happens: publish/subscribe push with wildcards, pull from stored history, key/value with a watch,
 * a point-to-point queue with redelivery and dead letters, request/reply and client/server streams,
 * backpressure ({@code DROP_OLDEST} and {@code BLOCK}) and an interceptor.
 *
 * <p>Run it with {@code java -jar examples/target/daak.jar demo}. It finishes by itself within a
 * few seconds: every wait is bounded by {@link #WAIT}.
 *
 * <p>Each section makes its own engine with {@link Daak#local()} and closes it, so that sequence
 * numbers and revisions start at 1 in each; runs share nothing.
 */
public final class Demo {

    /** The longest any step of the demo waits for something to happen before it gives up. */
    static final Duration WAIT = Duration.ofSeconds(5);

    private Demo() {}

    /**
     * Runs the tour, printing to standard output.
     *
     * @param args ignored
     * @throws Exception when a step fails or times out
     */
    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /**
     * Runs the tour.
     *
     * @param out where to print what happens
     * @throws Exception when a step fails or times out
     */
    public static void run(PrintStream out) throws Exception {
        pushWithWildcards(out);
        pullFromHistory(out);
        keyValue(out);
        queue(out);
        requestReply(out);
        dropOldest(out);
        block(out);
        interceptors(out);
        out.println();
        out.println("done: every pattern ran");
    }

    // ---------------------------------------------------------------- publish/subscribe, push

    static void pushWithWildcards(PrintStream out) throws Exception {
        out.println("== 1. publish/subscribe: push to wildcard selectors ==");
        try (Daak daak = Daak.local()) {
            Topic<Double> kitchen = Topic.of("home/kitchen/temp", Double.class);
            Topic<Double> garage = Topic.of("home/garage/temp", Double.class);
            Topic<Double> humidity = Topic.of("home/kitchen/humidity", Double.class);

            // Push delivers what is published after the subscription, so subscribe first.
            CountDownLatch received = new CountDownLatch(5);
            Disposable temperatures = daak.subscribe(Selector.of("home/*/temp", Double.class)) // * = one segment
                    .subscribe(m -> show(out, "home/*/temp", m, received));
            Disposable everything = daak.subscribe(Selector.of("home/**", Double.class)) // ** = any segments
                    .subscribe(m -> show(out, "home/**", m, received));

            PublishResult r = daak.publish(kitchen, 21.5, Fields.none().sender("thermostat"))
                    .block(WAIT);
            out.println("  published " + r.topic() + " #" + r.sequence() + " to " + r.matched() + " subscriptions");
            daak.publish(garage, 12.0).block(WAIT);
            daak.publish(humidity, 48.0).block(WAIT);

            await(received, "5 pushed messages");
            temperatures.dispose();
            everything.dispose();
        }
    }

    private static void show(PrintStream out, String selector, Message<Double> m, CountDownLatch received) {
        String from = m.sender() == null ? "" : " from " + m.sender();
        out.println("  " + selector + " got " + m.topic() + " = " + m.value() + from);
        received.countDown();
    }

    // ---------------------------------------------------------------- publish/subscribe, pull

    static void pullFromHistory(PrintStream out) throws Exception {
        out.println("== 2. publish/subscribe: pull from stored history ==");
        // Topics keep their latest message by default; this rule keeps the last 3 of every order topic.
        LocalOptions options = LocalOptions.defaults().retention("orders/**", Retention.count(3));
        try (Daak daak = Daak.local(options)) {
            Topic<String> orders = Topic.of("orders/eu", String.class);
            daak.publishAll(orders, Flux.just("o-1", "o-2", "o-3", "o-4", "o-5"))
                    .blockLast(WAIT);

            // A subscriber starting from a stored position pulls at its own demand: take(n) requests n.
            List<Message<String>> earliest = daak.subscribe(
                            orders.selector(), SubscribeOptions.defaults().start(Start.earliest()))
                    .take(3)
                    .collectList()
                    .block(WAIT);
            out.println("  Start.earliest()    -> " + sequences(earliest) + " (#1 and #2 fell out of count(3))");

            List<Message<String>> fromFour = daak.subscribe(
                            orders.selector(), SubscribeOptions.defaults().start(Start.atSequence(4)))
                    .take(2)
                    .collectList()
                    .block(WAIT);
            out.println("  Start.atSequence(4) -> " + sequences(fromFour));

            // Start.latest(): the last stored message, then the new ones as they are published.
            CompletableFuture<List<Message<String>>> latest = daak.subscribe(
                            orders.selector(), SubscribeOptions.defaults().start(Start.latest()))
                    .take(2)
                    .collectList()
                    .toFuture();
            daak.publish(orders, "o-6").block(WAIT);
            out.println("  Start.latest()      -> " + sequences(await(latest)) + " (stored, then new)");
        }
    }

    private static String sequences(List<Message<String>> messages) {
        return messages.stream().map(m -> "#" + m.sequence() + " " + m.value()).collect(Collectors.joining(", "));
    }

    // ---------------------------------------------------------------- key/value

    static void keyValue(PrintStream out) throws Exception {
        out.println("== 3. key/value: put, get, delete, watch ==");
        try (Daak daak = Daak.local()) {
            Key<String> mode = Key.of("robots/r1/mode", String.class);
            CompletableFuture<List<Change<String>>> changes = daak.watch(Selector.of("robots/**", String.class))
                    .take(3)
                    .collectList()
                    .toFuture();

            Long first = daak.put(mode, "idle").block(WAIT);
            Long second = daak.put(mode, "cleaning").block(WAIT);
            out.println("  put idle -> revision " + first + ", put cleaning -> revision " + second);

            Entry<String> entry = daak.entry(mode).block(WAIT);
            out.println("  get -> " + entry.value() + " (revision " + entry.revision() + ")");

            Boolean deleted = daak.delete(mode).block(WAIT);
            String after = daak.get(mode).defaultIfEmpty("(no value)").block(WAIT);
            out.println("  delete -> " + deleted + ", then get -> " + after);

            for (Change<String> c : await(changes)) {
                out.println("  watch: " + c.kind() + " " + c.key() + " = " + c.value() + " @" + c.revision());
            }
        }
    }

    // ---------------------------------------------------------------- point-to-point queue

    static void queue(PrintStream out) throws Exception {
        out.println("== 4. queue: competing receivers, ack, nack, dead letter ==");
        try (Daak daak = Daak.local()) {
            Queue<String> jobs = Queue.of("jobs", String.class).withMaxDeliveries(3);
            CompletableFuture<Message<String>> deadLetter = daak.subscribe(
                            Selector.of(jobs.deadLetterTopic(), String.class))
                    .next()
                    .toFuture();

            CountDownLatch acked = new CountDownLatch(4);
            Disposable a = daak.recv(jobs).subscribe(worker(out, "receiver-A", acked));
            Disposable b = daak.recv(jobs).subscribe(worker(out, "receiver-B", acked));

            for (String job : List.of("job-1", "job-2", "flaky", "poison", "job-3")) {
                daak.send(jobs, job).block(WAIT);
            }

            await(acked, "4 acknowledged jobs");
            Message<String> dead = await(deadLetter);
            out.println("  dead letter on " + dead.topic() + ": " + dead.value() + " after "
                    + dead.headers().get("daak-dead-letter-attempts") + " attempts ("
                    + dead.headers().get("daak-dead-letter-reason") + ")");
            a.dispose();
            b.dispose();
        }
    }

    /** A receiver: acks good jobs, nacks "flaky" once and "poison" every time. */
    private static Consumer<Delivery<String>> worker(PrintStream out, String name, CountDownLatch acked) {
        return d -> {
            String job = d.value();
            boolean fails = job.equals("poison") || (job.equals("flaky") && d.attempt() == 1);
            out.println("  " + name + " got " + job + " (attempt " + d.attempt() + ") -> " + (fails ? "nack" : "ack"));
            if (fails) {
                d.nack(); // back to the queue for another attempt, or to the dead-letter topic
            } else {
                d.ack();
                acked.countDown();
            }
        };
    }

    // ---------------------------------------------------------------- request/reply, client/server

    static void requestReply(PrintStream out) throws Exception {
        out.println("== 5. request/reply, requestStream, channel ==");
        try (Daak daak = Daak.local()) {
            Service<String, String> greeter = Service.of("greeter", String.class, String.class);

            // Nothing serves it yet: the request fails at once instead of waiting.
            String noOne = daak.request(greeter, "anyone?")
                    .onErrorResume(NoRespondersException.class, e -> Mono.just(e.getMessage()))
                    .block(WAIT);
            out.println("  before serve: " + noOne);

            Registration one = daak.serve(greeter, greeter("server-1")).block(WAIT);
            Registration two = daak.serve(greeter, greeter("server-2")).block(WAIT);

            // Two servers of one service share its requests.
            Flux.range(1, 4)
                    .concatMap(i -> daak.request(greeter, "client-" + i))
                    .doOnNext(reply -> out.println("  request       -> " + reply))
                    .blockLast(WAIT);
            daak.requestStream(greeter, "tick")
                    .doOnNext(reply -> out.println("  requestStream -> " + reply))
                    .blockLast(WAIT);
            daak.channel(greeter, Flux.just("a", "b", "c"))
                    .doOnNext(reply -> out.println("  channel       -> " + reply))
                    .blockLast(WAIT);

            one.dispose();
            two.dispose();
        }
    }

    /** A server offering all three interactions, signing its answers with its name. */
    static ServiceHandler<String, String> greeter(String server) {
        return new ServiceHandler<>() {
            @Override
            public Mono<String> request(Message<String> request) {
                return Mono.just(server + ": hello " + request.value());
            }

            @Override
            public Flux<String> stream(Message<String> request) {
                return Flux.range(1, 3).map(i -> server + ": " + request.value() + " " + i);
            }

            @Override
            public Flux<String> channel(String service, Flux<Message<String>> requests) {
                return requests.map(m -> server + ": " + m.value().toUpperCase(Locale.ROOT));
            }
        };
    }

    // ---------------------------------------------------------------- backpressure

    static void dropOldest(PrintStream out) throws Exception {
        out.println("== 6. backpressure: a slow DROP_OLDEST subscriber next to a fast one ==");
        try (Daak daak = Daak.local()) {
            Topic<Integer> ticks = Topic.of("market/ticks", Integer.class);
            CompletableFuture<List<Message<Integer>>> fast =
                    daak.subscribe(ticks).take(10).collectList().toFuture();
            // The slow one takes one message, then is busy: 4 more wait in its buffer, older ones are dropped.
            Paused<Integer> slow = new Paused<>(1);
            daak.subscribe(ticks.selector(), SubscribeOptions.defaults().overflow(Overflow.dropOldest(4)))
                    .subscribe(slow);

            List<PublishResult> results =
                    daak.publishAll(ticks, Flux.range(1, 10)).collectList().block(WAIT);
            int dropped = results.stream().mapToInt(PublishResult::dropped).sum();
            out.println("  published 10, PublishResult.dropped() adds up to " + dropped);

            out.println("  fast subscriber got " + await(fast).size() + " messages, never slowed down");
            slow.request(Long.MAX_VALUE); // catches up with what its buffer kept
            out.println("  slow subscriber got " + slow.await(5) + " (the gap is what was dropped)");
        }
    }

    static void block(PrintStream out) throws Exception {
        out.println("== 7. backpressure: a BLOCK subscriber paces publishAll ==");
        try (Daak daak = Daak.local()) {
            Topic<Integer> frames = Topic.of("video/frames", Integer.class);
            Paused<Integer> consumer = new Paused<>(0);
            daak.subscribe(frames.selector(), SubscribeOptions.defaults().overflow(Overflow.block(2)))
                    .subscribe(consumer);

            Semaphore published = new Semaphore(0);
            AtomicLong last = new AtomicLong();
            AtomicLong dropped = new AtomicLong();
            Disposable publisher = daak.publishAll(frames, Flux.range(1, 10)).subscribe(r -> {
                last.set(r.sequence());
                dropped.addAndGet(r.dropped());
                published.release();
            });

            await(published, 2);
            out.println("  subscriber requested 0, buffer holds 2 -> publisher waits after #" + last.get());
            consumer.request(3);
            await(published, 3);
            out.println("  subscriber requested 3 -> publisher waits after #" + last.get());
            consumer.request(Long.MAX_VALUE);
            await(published, 5);
            out.println("  subscriber requested all -> publisher finished at #" + last.get() + "; subscriber got "
                    + consumer.await(10).size() + " messages, " + dropped.get() + " dropped");
            publisher.dispose();
        }
    }

    /**
     * A subscriber that requests only what it is told to, recording the sequence numbers it receives:
     * a stand-in for a consumer busy with other work.
     */
    static final class Paused<T> extends BaseSubscriber<Message<T>> {
        private final long initialRequest;
        private final List<Long> sequences = new CopyOnWriteArrayList<>();
        private final Semaphore arrived = new Semaphore(0);
        private int awaited; // arrivals already waited for; only the demo's thread uses it

        Paused(long initialRequest) {
            this.initialRequest = initialRequest;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            if (initialRequest > 0) {
                request(initialRequest);
            }
        }

        @Override
        protected void hookOnNext(Message<T> message) {
            sequences.add(message.sequence());
            arrived.release();
        }

        /** Waits until {@code total} messages have arrived in all; returns their sequence numbers. */
        List<Long> await(int total) throws InterruptedException {
            Demo.await(arrived, total - awaited);
            awaited = total;
            return List.copyOf(sequences);
        }
    }

    // ---------------------------------------------------------------- interceptors

    static void interceptors(PrintStream out) throws Exception {
        out.println("== 8. interceptors: around every operation ==");
        try (Daak daak = Daak.local(LocalOptions.defaults().interceptor(new Audit(out)))) {
            Topic<String> lights = Topic.of("home/lights", String.class);
            Topic<String> shutdown = Topic.of("admin/shutdown", String.class);
            CompletableFuture<Message<String>> seen =
                    daak.subscribe(lights).next().toFuture();

            daak.publish(lights, "on").block(WAIT);
            Message<String> m = await(seen);
            out.println("  subscriber got " + m.value() + " with headers " + m.headers());
            String refused = daak.publish(shutdown, "now")
                    .map(r -> "published")
                    .onErrorResume(DaakException.class, e -> Mono.just(e.getMessage()))
                    .block(WAIT);
            out.println("  publish to admin/shutdown -> " + refused);
        }
    }

    /** Logs every call, stamps published messages with a header and refuses publishing to admin topics. */
    static final class Audit implements Interceptor {
        private final PrintStream out;

        Audit(PrintStream out) {
            this.out = out;
        }

        @Override
        public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
            out.println("  audit: " + call.operation() + " " + call.target());
            if (call.operation() != Operation.PUBLISH) {
                return next.apply(call);
            }
            if (call.target().startsWith("admin/")) {
                return Mono.error(new DaakException("not allowed to publish to '" + call.target() + "'"));
            }
            return next.apply(call.withFields(call.fields().header("audited-by", "demo")));
        }
    }

    // ---------------------------------------------------------------- bounded waits

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("gave up after " + WAIT + " waiting for " + what);
        }
    }

    private static void await(Semaphore permits, int count) throws InterruptedException {
        if (!permits.tryAcquire(count, WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("gave up after " + WAIT + " waiting for " + count + " more signals");
        }
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
