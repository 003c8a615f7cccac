package io.daak.examples.cli;

import io.daak.core.Daak;
import io.daak.core.Service;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code daak request SERVICE VALUE}: sends a request and prints the response. */
@Command(
        name = "request",
        description = {
            "Sends a request to a service and prints the response.",
            "One of the service's servers answers. Exits with 1 at once when nothing serves it."
        })
final class RequestCommand implements Callable<Integer> {

    @ParentCommand
    DaakCli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "The service, e.g. echo.")
    String service;

    @Parameters(index = "1", paramLabel = "VALUE", description = "The request.")
    String value;

    @Override
    public Integer call() {
        return request(client.values());
    }

    private <Q> int request(Values<Q> form) {
        Service<Q, Object> s = Service.of(service, form.type(), Object.class);
        Q q = form.parse(value);
        try (Daak daak = client.connect()) {
            Object response =
                    client.bounded(daak.request(s, q), "request " + service).block();
            cli.out.println(response == null ? "" : form.render(response));
            return 0;
        }
    }
}
