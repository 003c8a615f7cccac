package io.daak.examples.cli;

import io.daak.core.Daak;
import io.daak.core.Queue;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code daak send QUEUE VALUE}: sends a message to a queue. */
@Command(
        name = "send",
        description = {
            "Sends a value to a queue.",
            "Exactly one of the queue's receivers gets it; returns once the queue holds it."
        })
final class SendCommand implements Callable<Integer> {

    @ParentCommand
    DaakCli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue, e.g. jobs.")
    String queue;

    @Parameters(index = "1", paramLabel = "VALUE", description = "The value.")
    String value;

    @Override
    public Integer call() {
        return send(client.values());
    }

    private <T> int send(Values<T> form) {
        Queue<T> q = Queue.of(queue, form.type());
        T v = form.parse(value);
        try (Daak daak = client.connect()) {
            client.bounded(daak.send(q, v), "send " + queue).block();
            cli.out.println("sent to " + queue);
            return 0;
        }
    }
}
