package io.daak.examples.cli;

import io.daak.core.Daak;
import io.daak.core.Entry;
import io.daak.core.Key;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code daak get KEY}: prints the value of a key; exit code 1 when it has none. */
@Command(
        name = "get",
        description = {"Prints the value of a key.", "Exits with 1 (and a message on standard error) when it has none."
        })
final class GetCommand implements Callable<Integer> {

    @ParentCommand
    DaakCli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    String key;

    @Option(names = "--revision", description = "Print the revision before the value: '@3 value'.")
    boolean revision;

    @Override
    public Integer call() {
        Values<?> form = client.values();
        try (Daak daak = client.connect()) {
            Optional<Entry<Object>> entry = client.bounded(daak.entry(Key.of(key, Object.class)), "get " + key)
                    .blockOptional();
            if (entry.isEmpty()) {
                cli.err.println("daak get: key '" + key + "' has no value");
                return DaakCli.FAILED;
            }
            String value = form.render(entry.get().value());
            cli.out.println(revision ? "@" + entry.get().revision() + " " + value : value);
            return 0;
        }
    }
}
