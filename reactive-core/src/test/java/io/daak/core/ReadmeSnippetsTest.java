package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The README's snippets, compiled and run, so that the first thing a user copies works. (The
 * virtual-time snippet is {@link LocalTimeTest#shouldRedeliverWhenTheAckDeadlinePasses()}.)
 */
class ReadmeSnippetsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void pushSnippetDeliversToTheWildcardSubscriber() {
        try (Daak daak = Daak.local()) {
            List<String> seen = new CopyOnWriteArrayList<>();
            Topic<Double> kitchen = Topic.of("sensors/kitchen/temp", Double.class);
            daak.subscribe(Selector.of("sensors/*/temp", Double.class))
                    .subscribe(m -> seen.add(m.topic() + " #" + m.sequence() + " = " + m.value()));
            PublishResult r = daak.publish(
                            kitchen, 21.5, Fields.none().header("unit", "C").sender("thermo-1"))
                    .block(WAIT);
            assertThat(r.matched()).isEqualTo(1);
            Publication<Double> fast = daak.publication(kitchen);
            boolean taken = fast.tryPublish(21.6);
            assertThat(taken).isTrue();
            assertThat(seen).containsExactly("sensors/kitchen/temp #1 = 21.5", "sensors/kitchen/temp #2 = 21.6");
        }
    }

    @Test
    void pullSnippetStartsFromASequence() {
        try (Daak daak = Daak.local(LocalOptions.defaults()
                .retention("logs/**", Retention.count(10_000).withMaxAge(Duration.ofHours(1))))) {
            Topic<String> app = Topic.of("logs/app", String.class);
            daak.publishAll(app, Flux.range(1, 45).map(i -> "line " + i)).blockLast(WAIT);
            StepVerifier.create(daak.subscribe(
                                    Selector.of("logs/app", String.class),
                                    SubscribeOptions.defaults().start(Start.atSequence(42)))
                            .map(m -> m.sequence() + ": " + m.value()))
                    .expectNext("42: line 42", "43: line 43", "44: line 44", "45: line 45")
                    .thenCancel()
                    .verify(WAIT);
        }
    }

    @Test
    void keyValueSnippetWorks() {
        try (Daak daak = Daak.local()) {
            Key<String> mode = Key.of("robots/r1/mode", String.class);
            long revision = daak.put(mode, "auto").block(WAIT);
            String value = daak.get(mode).block(WAIT);
            assertThat(value).isEqualTo("auto");
            StepVerifier.create(daak.watch(
                                    Selector.of("robots/**", String.class),
                                    SubscribeOptions.defaults().start(Start.latest()))
                            .map(c -> c.kind() + " " + c.key() + " = " + c.value() + " @" + c.revision()))
                    .expectNext("PUT robots/r1/mode = auto @" + revision)
                    .then(() -> daak.delete(mode).block(WAIT))
                    .expectNext("DELETE robots/r1/mode = null @" + (revision + 1))
                    .thenCancel()
                    .verify(WAIT);
        }
    }

    @Test
    void queueSnippetAcksAndRetries() throws InterruptedException {
        try (Daak daak = Daak.local()) {
            Queue<String> jobs = Queue.of("jobs/resize", String.class)
                    .withAckTimeout(Duration.ofSeconds(10))
                    .withMaxDeliveries(3);
            List<String> done = new CopyOnWriteArrayList<>();
            CountDownLatch finished = new CountDownLatch(1);
            var receiver = daak.recv(jobs)
                    .concatMap(d -> resize(d.value(), d.attempt())
                            .doOnSuccess(x -> {
                                done.add(x);
                                d.ack();
                                finished.countDown();
                            })
                            .doOnError(e -> d.nack())
                            .onErrorComplete())
                    .subscribe();
            daak.send(jobs, "photo-17.jpg", Fields.none().priority(5)).block(WAIT);
            assertThat(finished.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            receiver.dispose();
            assertThat(done).containsExactly("resized photo-17.jpg on attempt 2");
        }
    }

    /** Fails the first attempt, as a flaky downstream would. */
    private static Mono<String> resize(String file, int attempt) {
        return attempt == 1
                ? Mono.error(new IllegalStateException("disk busy"))
                : Mono.just("resized " + file + " on attempt " + attempt);
    }

    @Test
    void requestReplySnippetsWork() {
        try (Daak daak = Daak.local()) {
            Service<String, Integer> length = Service.of("text/length", String.class, Integer.class);
            Registration reg = daak.serve(length, s -> Mono.just(s.length())).block(WAIT);
            Integer n = daak.request(length, "hello", Fields.none().ttl(Duration.ofSeconds(2)))
                    .block(WAIT);
            assertThat(n).isEqualTo(5);

            Service<Integer, Integer> countdown = Service.of("countdown", Integer.class, Integer.class);
            daak.serve(countdown, ServiceHandler.requestStream(from -> Flux.range(0, from + 1)
                            .map(i -> from - i)))
                    .block(WAIT);
            StepVerifier.create(daak.requestStream(countdown, 3))
                    .expectNext(3, 2, 1, 0)
                    .verifyComplete();

            Service<String, String> upper = Service.of("text/upper", String.class, String.class);
            daak.serve(upper, ServiceHandler.channel(in -> in.map(String::toUpperCase)))
                    .block(WAIT);
            StepVerifier.create(daak.channel(upper, Flux.just("a", "b")))
                    .expectNext("A", "B")
                    .verifyComplete();
            reg.dispose();
            StepVerifier.create(daak.request(length, "x"))
                    .expectError(NoRespondersException.class)
                    .verify(WAIT);
        }
    }

    @Test
    void connectSharesANamedEngine() {
        Daak bus = Daak.connect("local://readme-bus");
        try {
            assertThat(Daak.connect("local://readme-bus")).isSameAs(bus);
        } finally {
            bus.close();
        }
    }
}
