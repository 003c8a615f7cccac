package io.daak.examples.cli;

import io.daak.core.Daak;
import io.daak.core.DaakException;
import io.daak.core.Publication;
import io.daak.core.Topic;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** {@code daak pub TOPIC VALUE...}: publishes values to a topic. */
@Command(
        name = "pub",
        description = {
            "Publishes values to a topic.",
            "Prints each result (topic, sequence, matched subscriptions, drops). Values come from the command"
                    + " line or, with --stdin, one per line."
        })
final class PubCommand implements Callable<Integer> {

    /** How far behind its schedule a paced publisher may be and still catch up. */
    static final long MAX_CATCH_UP_NANOS = 100_000_000L;

    @ParentCommand
    DaakCli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic, e.g. demo/hello (no wildcards).")
    String topic;

    @Parameters(index = "1..*", paramLabel = "VALUE", description = "The values, published in order. Not with --stdin.")
    List<String> values = new ArrayList<>();

    @Option(names = "--stdin", description = "Publish each non-blank line of standard input.")
    boolean stdin;

    @Option(
            names = "--count",
            paramLabel = "N",
            converter = Positive.class,
            description = "Publish N messages, cycling through the VALUEs (with --stdin: at most N lines).")
    long count = -1;

    @Option(
            names = "--rate",
            paramLabel = "MSGS_PER_S",
            description = "Publish at most this many messages per second (default: as fast as the node takes them).")
    double rate;

    @Option(
            names = "--fnf",
            description = "Fire-and-forget: no result per message (faster; drops at the node are not reported).")
    boolean fireAndForget;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print no line per message. With -q, --fnf or --count a summary (messages, time,"
                    + " msgs/s) goes to standard error.")
    boolean quiet;

    @Override
    public Integer call() {
        return publish(client.values());
    }

    private <T> int publish(Values<T> form) {
        if (stdin == !values.isEmpty()) {
            throw new IllegalArgumentException(
                    stdin ? "give either VALUEs or --stdin, not both" : "give at least one VALUE (or --stdin)");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate=" + rate + " must be positive");
        }
        Topic<T> to = Topic.of(topic, form.type());
        List<T> given = values.stream().map(form::parse).toList();
        Flux<T> source = stdin ? lines().map(form::parse) : Flux.fromIterable(given);
        if (count > 0) {
            source = stdin ? source.take(count) : source.repeat().take(count);
        }
        source = paced(source, rate);

        long start = System.nanoTime();
        AtomicLong sent = new AtomicLong();
        try (Daak daak = client.connect()) {
            boolean completed;
            if (fireAndForget) {
                client.flush(daak); // connects: tryPublish does not wait for a connection
                Publication<T> publication = daak.publication(to);
                completed = Await.completion(source.doOnNext(v -> {
                    if (!publication.tryPublish(v)) {
                        throw new DaakException(
                                "lost the connection to " + client.uri + " after " + sent.get() + " messages");
                    }
                    sent.incrementAndGet();
                }));
                client.flush(daak);
            } else {
                completed = Await.completion(daak.publishAll(to, source).doOnNext(r -> {
                    sent.incrementAndGet();
                    if (!quiet) {
                        cli.out.println("published " + r.topic() + " #" + r.sequence() + " (matched " + r.matched()
                                + ", dropped " + r.dropped() + ")");
                    }
                }));
            }
            if (quiet || fireAndForget || count > 0) {
                double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
                cli.err.printf(
                        Locale.ROOT,
                        "daak pub: %d messages to %s in %.2f s (%.0f msgs/s)%s%n",
                        sent.get(),
                        topic,
                        seconds,
                        sent.get() / seconds,
                        fireAndForget ? ", fire-and-forget" : "");
            }
            return completed ? 0 : Await.INTERRUPTED;
        }
    }

    /** The non-blank lines of standard input, read off the event loops (reading blocks). */
    private Flux<String> lines() {
        return Flux.using(
                        () -> new BufferedReader(new InputStreamReader(cli.in, StandardCharsets.UTF_8)),
                        reader -> Flux.fromStream(reader.lines()),
                        reader -> {
                            // Standard input belongs to the process; leave it open.
                        })
                .filter(line -> !line.isBlank())
                .subscribeOn(Schedulers.boundedElastic());
    }

    /**
     * At most {@code rate} values per second on average, on a fixed schedule so that timer delays do not
     * add up; a source that fell behind by more than {@link #MAX_CATCH_UP_NANOS} (slow standard input) does
     * not catch up in a burst.
     */
    static <T> Flux<T> paced(Flux<T> source, double rate) {
        if (rate <= 0) {
            return source;
        }
        long periodNanos = Math.max(1, (long) (1e9 / rate));
        return Flux.defer(() -> {
            long[] due = {0};
            return source.concatMap(v -> {
                long now = System.nanoTime();
                if (due[0] == 0 || now - due[0] > MAX_CATCH_UP_NANOS) {
                    due[0] = now;
                }
                long wait = due[0] - now;
                due[0] += periodNanos;
                return wait > 0 ? Mono.delay(Duration.ofNanos(wait)).thenReturn(v) : Mono.just(v);
            });
        });
    }
}
