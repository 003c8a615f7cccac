package io.daak.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the multi-process benchmark runners share: their arguments and their second JVMs. Stateless. */
public final class Harness {

    private static final Logger log = LoggerFactory.getLogger(Harness.class);

    private Harness() {}

    /**
     * Starts a second JVM from this one's class path: {@code options}, then the space-separated options
     * of the system property {@code extraOptionsProperty} (e.g. a flight recording), then {@code main}
     * and {@code args}. Its standard error goes to this process's.
     *
     * @param what names the child in errors, e.g. "node JVM"
     * @return the started process (its standard output is the caller's to read)
     * @throws UncheckedIOException when it cannot be started
     */
    public static Process startJvm(
            String what, List<String> options, String extraOptionsProperty, Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        String extra = System.getProperty(extraOptionsProperty, "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the " + what + ": " + command, e);
        }
    }

    /**
     * Passes on a line a child JVM wrote that is not an answer to this one (the JVM's own output, e.g.
     * of a flight recording).
     */
    public static void passOn(String what, String line) {
        log.info("{}: {}", what, line);
    }

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
