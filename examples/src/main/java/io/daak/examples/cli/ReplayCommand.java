package io.daak.examples.cli;

import io.daak.core.Daak;
import io.daak.core.RawValue;
import io.daak.core.Topic;
import io.daak.tracing.Replay;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code daak replay FILE}: publishes a recording into a node again. */
@Command(
        name = "replay",
        description = {
            "Publishes an MCAP recording into a node again, each value exactly as it was recorded (same bytes,"
                    + " same MIME type), with the original timing, scaled (--speed) or as fast as possible (--fast).",
            "A truncated or damaged file replays what is intact, then fails with the offset of the damage."
        })
final class ReplayCommand implements Callable<Integer> {

    @ParentCommand
    DaakCli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "FILE", description = "The MCAP file.")
    Path file;

    @Option(
            names = "--speed",
            paramLabel = "FACTOR",
            defaultValue = "1.0",
            description = "Timing factor: 2 plays twice as fast, 0.5 half as fast (default: ${DEFAULT-VALUE}).")
    double speed = 1.0;

    @Option(names = "--fast", description = "As fast as possible, ignoring the recorded timing.")
    boolean fast;

    @Option(names = "--topics", paramLabel = "SELECTOR", description = "Replay only these topics, e.g. 'sensors/**'.")
    String topics;

    @Override
    public Integer call() {
        Replay replay = Replay.of(file);
        replay = fast ? replay.asFastAsPossible() : replay.speed(speed);
        if (topics != null) {
            replay = replay.topics(topics);
        }
        long[] published = {0};
        try (Daak daak = client.connect()) {
            boolean completed = Await.completion(replay.recorded()
                    .concatMap(m -> daak.publish(Topic.of(m.topic(), RawValue.class), m.value()))
                    .doOnNext(r -> published[0]++));
            if (!completed) {
                return Await.INTERRUPTED;
            }
            cli.err.println("daak replay: " + published[0] + " messages from " + file + " into " + client.uri);
            return 0;
        } catch (RuntimeException e) {
            cli.err.println("daak replay: " + published[0] + " messages from " + file + " into " + client.uri
                    + " before the error");
            throw e;
        }
    }
}
