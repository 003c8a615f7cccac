package io.daak.examples.cli;

import io.daak.core.Daak;
import io.daak.core.Delivery;
import io.daak.core.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import reactor.core.publisher.Flux;

/** {@code daak recv QUEUE}: receives from a queue, printing and acknowledging each delivery. */
@Command(
        name = "recv",
        description = {
            "Receives from a queue and acknowledges.",
            "Competes with the queue's other receivers; prints 'queue #seq value' per delivery and"
                    + " acknowledges it, until Ctrl-C or --count deliveries."
        })
final class RecvCommand implements Callable<Integer> {

    @ParentCommand
    DaakCli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue.")
    String queue;

    @Option(names = "--count", paramLabel = "N", converter = Positive.class, description = "Stop after N deliveries.")
    long count = -1;

    @Override
    public Integer call() {
        Values<?> form = client.values();
        try (Daak daak = client.connect()) {
            // One delivery at a time: the ones this receiver holds unacknowledged are not for the others.
            Flux<Delivery<Object>> deliveries =
                    daak.recv(Queue.of(queue, Object.class)).limitRate(1);
            if (count > 0) {
                deliveries = deliveries.take(count);
            }
            deliveries = Await.untilNodeShutdown(daak, deliveries);
            AtomicLong received = new AtomicLong();
            boolean completed = Await.completion(deliveries.doOnNext(d -> {
                cli.out.println(queue + " #" + d.message().sequence() + " " + form.render(d.value()));
                d.ack();
                received.incrementAndGet();
            }));
            if (!completed) {
                return Await.INTERRUPTED;
            }
            client.flush(daak); // the acks are fire-and-forget
            return Await.endOf(cli.err, "recv", "the receiver", received.get(), "deliveries", count);
        }
    }
}
