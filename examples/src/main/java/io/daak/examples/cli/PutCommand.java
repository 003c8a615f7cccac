package io.daak.examples.cli;

import io.daak.core.Daak;
import io.daak.core.Key;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code daak put KEY VALUE}: sets a key. */
@Command(name = "put", description = "Sets the value of a key and prints its revision.")
final class PutCommand implements Callable<Integer> {

    @ParentCommand
    DaakCli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key, e.g. robots/r1/mode.")
    String key;

    @Parameters(index = "1", paramLabel = "VALUE", description = "The value.")
    String value;

    @Override
    public Integer call() {
        return put(client.values());
    }

    private <T> int put(Values<T> form) {
        Key<T> k = Key.of(key, form.type());
        T v = form.parse(value);
        try (Daak daak = client.connect()) {
            long revision = client.bounded(daak.put(k, v), "put " + key).block();
            cli.out.println("revision " + revision);
            return 0;
        }
    }
}
