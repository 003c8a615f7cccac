package io.daak.examples.cli;

import io.daak.examples.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code daak demo}: the tour of every pattern on the in-process engine ({@link Demo}). */
@Command(
        name = "demo",
        description = {"Runs the tour of every pattern (in process).", "Needs no node; ends by itself within seconds."})
final class DemoCommand implements Callable<Integer> {

    @ParentCommand
    DaakCli cli;

    @Override
    public Integer call() throws Exception {
        Demo.run(cli.out);
        return 0;
    }
}
