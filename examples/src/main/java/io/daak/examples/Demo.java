package io.daak.examples;

import io.daak.core.Daak;
import io.daak.core.Delivery;
import io.daak.core.Fields;
import io.daak.core.Key;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.NoRespondersException;
import io.daak.core.Overflow;
import io.daak.core.PublishResult;
import io.daak.core.Queue;
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
import java.util.concurrent.CopyOnWriteArrayList;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A tour of every pattern of the in-process engine, printed as it runs. Every wait is bounded, so the
 * demo always ends, in a second or two.
 */
public final class Demo {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final Daak daak;
    private final PrintStream out;

    private Demo(Daak daak, PrintStream out) {
        this.daak = daak;
        this.out = out;
    }

    /**
     * Runs the demo and prints to standard output.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run(System.out);
    }

    /**
     * Runs the demo.
     *
     * @param out where to print
     */
    public static void run(PrintStream out) {
        LocalOptions options = LocalOptions.defaults().retention("logs/**", Retention.count(1_000));
        try (Daak daak = Daak.local(options)) {
            Demo demo = new Demo(daak, out);
            demo.push();
            demo.pull();
            demo.keyValue();
            demo.queue();
            demo.requestReply();
            demo.backpressure();
        }
        out.println();
        out.println("done: every pattern ran");
    }

    private void section(String title) {
        out.println();
        out.println("== " + title);
    }

    /** Publish/subscribe, push, with wildcard selectors. */
    private void push() {
        section("publish/subscribe: push, selectors * and **");
        Disposable oneLevel = daak.subscribe(Selector.of("sensors/*/temp", Double.class))
                .subscribe(m -> out.println("  sensors/*/temp  got " + m.topic() + " = " + m.value()));
        Disposable anyDepth = daak.subscribe(Selector.of("sensors/**", Double.class))
                .subscribe(m -> out.println("  sensors/**      got " + m.topic() + " = " + m.value()));
        PublishResult kitchen = daak.publish(
                        Topic.of("sensors/kitchen/temp", Double.class),
                        21.5,
                        Fields.none().sender("thermo-1"))
                .block(WAIT);
        PublishResult cellar = daak.publish(Topic.of("sensors/cellar/deep/temp", Double.class), 12.0)
                .block(WAIT);
        out.println("  kitchen matched " + kitchen.matched() + " subscriptions, cellar matched " + cellar.matched());
        oneLevel.dispose();
        anyDepth.dispose();
    }

    /** Publish/subscribe, pull: a retained topic read from several start positions. */
    private void pull() {
        section("publish/subscribe: pull from stored history");
        Topic<String> log = Topic.of("logs/app", String.class);
        daak.publishAll(log, Flux.range(1, 5).map(i -> "line " + i)).blockLast(WAIT);
        List<String> earliest = replay(log, Start.earliest(), 5);
        List<String> fromSeq = replay(log, Start.atSequence(4), 2);
        List<String> latest = replay(log, Start.latest(), 1);
        out.println("  from the earliest: " + earliest);
        out.println("  from sequence 4:   " + fromSeq);
        out.println("  the latest:        " + latest);
    }

    private List<String> replay(Topic<String> topic, Start start, int count) {
        return daak.subscribe(topic.selector(), SubscribeOptions.defaults().start(start))
                .take(count)
                .map(m -> "#" + m.sequence() + " " + m.value())
                .collectList()
                .block(WAIT);
    }

    /** Key/value: put, get, watch, delete, with revisions. */
    private void keyValue() {
        section("key/value: put, get, watch, delete");
        Key<String> mode = Key.of("robots/r1/mode", String.class);
        List<String> changes = new CopyOnWriteArrayList<>();
        Disposable watch = daak.watch(Selector.of("robots/**", String.class))
                .subscribe(c -> changes.add(c.kind() + " " + c.key() + "=" + c.value() + " @rev " + c.revision()));
        long r1 = daak.put(mode, "manual").block(WAIT);
        long r2 = daak.put(mode, "auto").block(WAIT);
        out.println("  put manual @rev " + r1 + ", put auto @rev " + r2 + ", get -> "
                + daak.get(mode).block(WAIT));
        daak.delete(mode).block(WAIT);
        out.println(
                "  after delete, get -> " + daak.get(mode).blockOptional(WAIT).orElse("(absent)"));
        watch.dispose();
        changes.forEach(c -> out.println("  watch saw " + c));
    }

    /** Point-to-point: two competing receivers, ack, a nack redelivered, a poison message dead-lettered. */
    private void queue() {
        section("point-to-point queue: competing receivers, ack, nack, dead letter");
        Queue<String> jobs = Queue.of("jobs/resize", String.class).withMaxDeliveries(2);
        List<String> log = new CopyOnWriteArrayList<>();
        Disposable deadLetters = daak.subscribe(Selector.of(jobs.deadLetterTopic(), String.class))
                .subscribe(m -> log.add("dead letter: " + m.value() + " after "
                        + m.headers().get("daak-dead-letter-attempts") + " attempts"));
        Disposable workers = Flux.merge(receiver("worker-a", jobs, log), receiver("worker-b", jobs, log))
                .subscribe();
        Flux.just("photo-1.jpg", "photo-2.jpg", "flaky.jpg", "poison.jpg")
                .concatMap(job -> daak.send(jobs, job))
                .blockLast(WAIT);
        awaitSize(log, 7); // 2 acks + flaky (nack, ack) + poison (nack, nack, dead letter)
        workers.dispose();
        deadLetters.dispose();
        log.stream().sorted().forEach(line -> out.println("  " + line));
    }

    private Flux<Delivery<String>> receiver(String name, Queue<String> jobs, List<String> log) {
        return daak.recv(jobs).publishOn(Schedulers.boundedElastic(), 1).doOnNext(d -> {
            String job = d.value();
            boolean fails = job.equals("poison.jpg") || (job.equals("flaky.jpg") && d.attempt() == 1);
            if (fails) {
                log.add(job + " attempt " + d.attempt() + ": nack by " + name);
                d.nack();
            } else {
                log.add(job + " attempt " + d.attempt() + ": ack by " + name);
                d.ack();
            }
        });
    }

    /** Request/reply, request-stream and channel; two servers share a service; no responders. */
    private void requestReply() {
        section("request/reply, request-stream, channel");
        Service<String, String> greet = Service.of("greeter", String.class, String.class);
        daak.serve(greet, name -> Mono.just("hello " + name + " from server A")).block(WAIT);
        daak.serve(greet, name -> Mono.just("hello " + name + " from server B")).block(WAIT);
        Flux.range(1, 4)
                .concatMap(i -> daak.request(greet, "caller-" + i))
                .doOnNext(reply -> out.println("  " + reply))
                .blockLast(WAIT);

        Service<Integer, Integer> countdown = Service.of("countdown", Integer.class, Integer.class);
        daak.serve(countdown, ServiceHandler.requestStream(n -> Flux.range(0, n + 1)
                        .map(i -> n - i)))
                .block(WAIT);
        out.println("  countdown stream: "
                + daak.requestStream(countdown, 3).collectList().block(WAIT));

        Service<String, String> upper = Service.of("upper", String.class, String.class);
        daak.serve(upper, ServiceHandler.channel(in -> in.map(String::toUpperCase)))
                .block(WAIT);
        out.println("  channel: "
                + daak.channel(upper, Flux.just("a", "b", "c")).collectList().block(WAIT));

        Service<String, String> nobody = Service.of("nobody/home", String.class, String.class);
        try {
            daak.request(nobody, "anyone?").block(WAIT);
        } catch (NoRespondersException e) {
            out.println("  no responders, at once: " + e.getMessage());
        }
    }

    /** Backpressure: a slow DROP_OLDEST subscriber beside a fast one, and a BLOCK subscriber pacing a publisher. */
    private void backpressure() {
        section("backpressure: DROP_OLDEST beside a fast subscriber, BLOCK pacing a publisher");
        Topic<Integer> frames = Topic.of("video/frames", Integer.class);
        List<Integer> fast = new CopyOnWriteArrayList<>();
        Disposable fastSub = daak.subscribe(frames).subscribe(m -> fast.add(m.value()));
        Disposable stalled = daak.subscribe(
                        frames.selector(), SubscribeOptions.defaults().overflow(Overflow.dropOldest(4)))
                .subscribeWith(new BaseSubscriber<Message<Integer>>() {
                    @Override
                    protected void hookOnSubscribe(Subscription s) {
                        // requests nothing: a subscriber that has fallen behind
                    }
                });
        List<PublishResult> results =
                daak.publishAll(frames, Flux.range(1, 100)).collectList().block(WAIT);
        int dropped = results.stream().mapToInt(PublishResult::dropped).sum();
        out.println("  fast subscriber received " + fast.size() + " of 100 frames");
        out.println("  the stalled DROP_OLDEST(4) subscriber dropped " + dropped
                + " (it keeps the 4 newest); nobody else was held up");
        fastSub.dispose();
        stalled.dispose();

        Topic<String> audit = Topic.of("audit/events", String.class);
        List<String> archived = new CopyOnWriteArrayList<>();
        Disposable archiver = daak.subscribe(
                        audit.selector(), SubscribeOptions.defaults().overflow(Overflow.block(2)))
                .delayElements(Duration.ofMillis(5)) // a slow archiver, taking one at a time
                .subscribe(m -> archived.add(m.value()));
        long start = System.nanoTime();
        daak.publishAll(audit, Flux.range(1, 20).map(i -> "event-" + i)).blockLast(WAIT);
        long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
        awaitSize(archived, 20);
        out.println("  BLOCK(2): the publisher was paced by the archiver (" + ms + " ms for 20 events), "
                + "which archived all " + archived.size() + ", none dropped");
        archiver.dispose();
    }

    private static void awaitSize(List<?> list, int size) {
        Mono.fromCallable(list::size)
                .filter(n -> n >= size)
                .repeatWhenEmpty(r -> r.delayElements(Duration.ofMillis(5)))
                .block(WAIT);
    }
}
