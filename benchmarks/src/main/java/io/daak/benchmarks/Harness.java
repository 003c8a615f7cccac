package io.daak.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** What the multi-process benchmark runners share: their arguments and their second JVMs. Stateless. */
public final class Harness {

    private Harness() {}

    /**
     * A runner's arguments: {@code -quick} and section names.
     *
     * @param quick whether {@code -quick} was given
     * @param sections the sections to run, in the order given; all of them when none was given
     */
    public record Args(boolean quick, List<String> sections) {}

    /**
     * Reads a runner's arguments.
     *
     * @param command the runner's name, for the error
     * @param args the arguments
     * @param known the section names, in their default order
     * @return what they say
     * @throws IllegalArgumentException for an argument that is neither {@code -quick} nor a section
     */
    public static Args args(String command, String[] args, List<String> known) {
        boolean quick = false;
        List<String> sections = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("-quick")) {
                quick = true;
            } else if (known.contains(arg)) {
                sections.add(arg);
            } else {
                throw new IllegalArgumentException(
                        "unknown argument '" + arg + "': " + command + " takes -quick and any of " + Set.copyOf(known));
            }
        }
        return new Args(quick, sections.isEmpty() ? List.copyOf(known) : sections);
    }

    /**
     * Asks a child JVM to quit (the line {@code quit} on its standard input) and kills it when it has not
     * within 15 s.
     *
     * @param process the child
     * @param stdin its standard input
     */
    public static void quit(Process process, PrintStream stdin) {
        stdin.println("quit");
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
