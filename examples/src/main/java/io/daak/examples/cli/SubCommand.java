package io.daak.examples.cli;

import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.Overflow;
import io.daak.core.Selector;
import io.daak.core.Start;
import io.daak.core.SubscribeOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** {@code daak sub SELECTOR}: prints the messages of the topics a selector matches. */
@Command(
        name = "sub",
        description = {
            "Prints the messages of the topics a selector matches.",
            "One line 'topic #seq value' per message, until Ctrl-C or --count messages. Every second with"
                    + " traffic, the rate (msgs/s) goes to standard error."
        })
final class SubCommand implements Callable<Integer> {

    @ParentCommand
    DaakCli cli;

    @Mixin
    ClientOptions client;

    @Parameters(
            index = "0",
            paramLabel = "SELECTOR",
            description = "The topics: '*' is one segment, '**' any number, e.g. 'demo/**' (quote it in a shell).")
    String selector;

    @Option(names = "--count", paramLabel = "N", converter = Positive.class, description = "Stop after N messages.")
    long count = -1;

    @Option(
            names = "--start",
            paramLabel = "POSITION",
            converter = StartPositions.class,
            description = "Where to start: new (default), latest (the retained latest of each topic, then new),"
                    + " earliest (everything retained), seq:N (from sequence N per topic), time:ISO-8601.")
    Start start = Start.newMessages();

    @Option(
            names = "--overflow",
            paramLabel = "POLICY[:CAPACITY]",
            converter = Overflows.class,
            defaultValue = "drop-oldest:" + DEFAULT_CAPACITY,
            description = "When this subscriber falls behind: drop-oldest, drop-latest, buffer (then fail), block"
                    + " (slows the publishers) or error (default: ${DEFAULT-VALUE}). Drops show as gaps in the"
                    + " sequence numbers and are counted on the rate line.")
    Overflow overflow = Overflow.dropOldest(DEFAULT_CAPACITY);

    @Option(names = "--no-rate", description = "Print no rate lines on standard error.")
    boolean noRate;

    /** A watching tool should neither fail nor slow the publishers when it cannot keep up. */
    private static final int DEFAULT_CAPACITY = 10_000;

    @Override
    public Integer call() {
        Values<?> form = client.values();
        Selector<Object> topics = Selector.of(selector, Object.class);
        AtomicLong received = new AtomicLong();
        AtomicLong missed = new AtomicLong();
        Map<String, Long> lastSequence = new HashMap<>();
        Disposable rate = noRate ? Flux.never().subscribe() : rateLines(received, missed);
        try (Daak daak = client.connect()) {
            Flux<Message<Object>> messages = daak.subscribe(
                    topics, SubscribeOptions.defaults().start(start).overflow(overflow));
            if (count > 0) {
                messages = messages.take(count);
            }
            messages = Await.untilNodeShutdown(daak, messages);
            boolean completed = Await.completion(messages.doOnNext(m -> {
                cli.out.println(m.topic() + " #" + m.sequence() + " " + form.render(m.value()));
                received.incrementAndGet();
                Long last = lastSequence.put(m.topic(), m.sequence());
                if (last != null && m.sequence() > last + 1) {
                    missed.addAndGet(m.sequence() - last - 1);
                }
            }));
            if (!completed) {
                return Await.INTERRUPTED;
            }
            return Await.endOf(cli.err, "sub", "the subscription", received.get(), "messages", count);
        } finally {
            rate.dispose();
        }
    }

    /**
     * A line on standard error for every second in which messages arrived, and one when they stop; with the
     * messages missed so far (gaps in a topic's sequence numbers: dropped for this subscriber, or expired).
     */
    private Disposable rateLines(AtomicLong received, AtomicLong missed) {
        long[] last = {0, 0};
        return Flux.interval(Duration.ofSeconds(1), Duration.ofSeconds(1)).subscribe(tick -> {
            long total = received.get();
            long perSecond = total - last[0];
            if (perSecond > 0 || last[1] > 0) {
                long gaps = missed.get();
                cli.err.println("daak sub: " + perSecond + " msgs/s (" + total + " total"
                        + (gaps > 0 ? ", " + gaps + " missed" : "") + ")");
            }
            last[0] = total;
            last[1] = perSecond;
        });
    }
}
