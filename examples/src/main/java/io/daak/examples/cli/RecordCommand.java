package io.daak.examples.cli;

import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.Overflow;
import io.daak.core.RawValue;
import io.daak.core.Selector;
import io.daak.core.SubscribeOptions;
import io.daak.tracing.McapRecorder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** {@code daak record SELECTOR --out FILE}: records the topics a selector matches to an MCAP file. */
@Command(
        name = "record",
        description = {
            "Records the topics a selector matches to an MCAP file, every value exactly as it was encoded.",
            "Runs until Ctrl-C or --count messages, then finishes the file (summary and footer). Replay it with"
                    + " 'daak replay', or open it with any MCAP tool (one channel per topic, message encoding ="
                    + " the MIME type)."
        })
final class RecordCommand implements Callable<Integer> {

    @ParentCommand
    DaakCli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "SELECTOR", description = "The topics, e.g. 'sensors/**' (quote it).")
    String selector;

    @Option(
            names = {"-o", "--out"},
            paramLabel = "FILE",
            required = true,
            description = "The MCAP file to write.")
    Path out;

    @Option(names = "--count", paramLabel = "N", converter = Positive.class, description = "Stop after N messages.")
    long count = -1;

    /** A recorder must not lose messages silently: it buffers this many, then fails. */
    private static final int BUFFER = 100_000;

    @Override
    public Integer call() throws IOException {
        McapRecorder recorder = McapRecorder.create(out);
        long[] written = {0};
        boolean[] stopped = {false};
        // Ctrl-C ends the JVM without returning here: the hook finishes the file then.
        Runnable finish = () -> {
            synchronized (recorder) {
                if (stopped[0]) {
                    return;
                }
                stopped[0] = true;
                recorder.close();
            }
            McapRecorder.Summary s = recorder.summary();
            cli.err.println("daak record: " + s.messages() + " messages (" + s.bytes() + " bytes, " + s.channels()
                    + " channels) in " + out);
        };
        Thread hook = new Thread(finish, "daak-record-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (Daak daak = client.connect()) {
            Flux<Message<RawValue>> messages = daak.subscribe(
                    Selector.of(selector, RawValue.class),
                    SubscribeOptions.defaults().overflow(Overflow.buffer(BUFFER)));
            if (count > 0) {
                messages = messages.take(count);
            }
            messages = Await.untilNodeShutdown(daak, messages);
            boolean completed = Await.completion(
                    messages.publishOn(Schedulers.boundedElastic(), 256).doOnNext(m -> {
                        synchronized (recorder) { // never after the command has finished the file
                            if (stopped[0]) {
                                return;
                            }
                            try {
                                recorder.write(m);
                                written[0]++;
                            } catch (IOException e) {
                                throw Exceptions.propagate(e);
                            }
                        }
                    }));
            if (!completed) {
                return Await.INTERRUPTED;
            }
            return count > 0 && written[0] >= count
                    ? 0
                    : Await.endOf(cli.err, "record", "the subscription", written[0], "messages", count);
        } finally {
            // An interrupt (how a command is stopped in process) would close the file channel mid-write.
            boolean interrupted = Thread.interrupted();
            finish.run();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running, or has finished the file
            }
        }
    }
}
