package io.daak.examples.cli;

import io.daak.core.Daak;
import io.daak.core.Registration;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** {@code daak serve SERVICE}: an echo server. */
@Command(
        name = "serve",
        description = {
            "Serves a service with an echo handler.",
            "Each request comes back as its response (upper-cased with --upper). Prints 'request -> response'"
                    + " per request, until Ctrl-C or --count requests. Replies are text, or JSON with --json."
        })
final class ServeCommand implements Callable<Integer> {

    @ParentCommand
    DaakCli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "The service, e.g. echo.")
    String service;

    @Option(names = "--upper", description = "Reply with the request upper-cased (every string of a JSON value).")
    boolean upper;

    @Option(
            names = "--count",
            paramLabel = "N",
            converter = Positive.class,
            description = "Stop after answering N requests.")
    long count = -1;

    @Override
    public Integer call() {
        return serve(client.values());
    }

    private <R> int serve(Values<R> form) {
        Service<Object, R> s = Service.of(service, Object.class, form.type());
        Sinks.Empty<Void> done = Sinks.empty();
        AtomicLong answered = new AtomicLong();
        ServiceHandler<Object, R> echo = ServiceHandler.requestReply(request -> {
            R reply = upper ? form.upper(form.from(request)) : form.from(request);
            cli.out.println(form.render(request) + " -> " + form.render(reply));
            // Counted once the reply has gone to the transport, so that stopping cannot drop it.
            return Mono.just(reply).doFinally(signal -> {
                if (answered.incrementAndGet() == count) {
                    done.tryEmitEmpty();
                }
            });
        });
        try (Daak daak = client.connect()) {
            Registration registration =
                    client.bounded(daak.serve(s, echo), "serve " + service).block();
            cli.err.println("daak serve: serving '" + service + "' at " + client.uri
                    + (count > 0 ? " for " + count + " requests" : " (Ctrl-C to stop)"));
            try {
                boolean completed = Await.completion(done.asMono().flux());
                if (completed) {
                    client.flush(daak); // the last reply is on its way: let it reach the node
                }
                return completed ? 0 : Await.INTERRUPTED;
            } finally {
                if (registration != null) {
                    registration.dispose();
                }
            }
        }
    }
}
