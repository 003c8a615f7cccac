package io.daak.examples.cli;

import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.RawValue;
import io.daak.core.Selector;
import io.daak.tracing.Tap;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** {@code daak tap SELECTOR}: prints live traffic of any format, and per-topic rates. */
@Command(
        name = "tap",
        description = {
            "Shows the live traffic on the topics a selector matches, in any format, without slowing anyone.",
            "One line 'topic #seq [mime] value' per message (text and JSON as text, other formats as size and"
                    + " first bytes). Every second with traffic, the rate of each topic goes to standard error."
                    + " When the tap cannot keep up it drops the oldest waiting messages and counts them."
        })
final class TapCommand implements Callable<Integer> {

    @ParentCommand
    DaakCli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "SELECTOR", description = "The topics, e.g. 'sensors/**' (quote it).")
    String selector;

    @Option(names = "--count", paramLabel = "N", converter = Positive.class, description = "Stop after N messages.")
    long count = -1;

    @Option(
            names = "--capacity",
            paramLabel = "N",
            converter = Positive.class,
            defaultValue = "10000",
            description = "Messages the tap keeps waiting at most before it drops (default: ${DEFAULT-VALUE}).")
    long capacity = 10_000;

    @Option(names = "--no-rate", description = "Print no rate lines on standard error.")
    boolean noRate;

    @Override
    public Integer call() {
        try (Daak daak = client.connect()) {
            Tap<RawValue> tap = Tap.on(daak, Selector.of(selector, RawValue.class))
                    .capacity((int) Math.min(capacity, Integer.MAX_VALUE));
            Disposable rates = noRate ? Flux.never().subscribe() : rateLines(tap);
            try {
                Flux<Message<RawValue>> messages = tap.messages();
                if (count > 0) {
                    messages = messages.take(count);
                }
                messages = Await.untilNodeShutdown(daak, messages);
                long[] seen = {0};
                boolean completed = Await.completion(messages.doOnNext(m -> {
                    seen[0]++;
                    cli.out.println(m.topic() + " #" + m.sequence() + " ["
                            + m.value().mimeType() + "] " + Raw.render(m.value()));
                }));
                if (!completed) {
                    return Await.INTERRUPTED;
                }
                return Await.endOf(cli.err, "tap", "the tap", seen[0], "messages", count);
            } finally {
                rates.dispose();
            }
        }
    }

    /** Every second with traffic: "daak tap: a/b 120 msgs/s, a/c 3 msgs/s (5 dropped)". */
    private Disposable rateLines(Tap<RawValue> tap) {
        Map<String, Long> last = new HashMap<>();
        return Flux.interval(Duration.ofSeconds(1), Duration.ofSeconds(1)).subscribe(tick -> {
            StringJoiner line = new StringJoiner(", ", "daak tap: ", "");
            long dropped = 0;
            boolean any = false;
            for (Map.Entry<String, Tap.TopicStats> e : tap.stats().entrySet()) {
                long total = e.getValue().messages();
                Long before = last.put(e.getKey(), total);
                long rate = total - (before == null ? 0 : before);
                dropped += e.getValue().dropped();
                if (rate > 0) {
                    any = true;
                    line.add(e.getKey() + " " + rate + " msgs/s");
                }
            }
            if (any) {
                cli.err.println(line + (dropped > 0 ? " (" + dropped + " dropped)" : ""));
            }
        });
    }
}
