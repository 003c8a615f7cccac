package io.daak.examples.cli;

import io.daak.core.DaakException;
import io.rsocket.RSocketErrorException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import reactor.core.Exceptions;

/**
 * The {@code daak} command-line tool: {@code java -jar examples/target/daak.jar <command> ...}.
 *
 * <pre>{@code
 * daak node                          # a node on tcp://0.0.0.0:7878 and ws://0.0.0.0:7879/
 * daak sub 'demo/**'                 # prints "topic #seq value" per message
 * daak pub demo/hello world
 * daak tap 'sensors/**'             # live traffic of any format, per-topic rates
 * daak record 'sensors/**' -o run.mcap && daak replay run.mcap --speed 2
 * daak rsocket tcp://localhost:7000 --route echo --data hi   # any RSocket server
 * daak passwd                        # hash a password for a node's --auth file
 * }</pre>
 *
 * <p>Exit codes: 0 success, 1 failure (cannot connect, no responders, missing key, ...), 2 bad usage
 * (unknown command or option, malformed URI, name or value). Every subcommand is described in
 * {@code docs/cli.md}.
 *
 * <p>Tests and tools call {@link #run(String[], InputStream, PrintStream, PrintStream)} to run a command in
 * this JVM. Each run is independent; concurrent runs are fine.
 */
@Command(
        name = "daak",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT,
        version = "daak 0.1.0-SNAPSHOT",
        description = "Runs a Daak node, talks to one, or talks to any RSocket server.",
        subcommands = {
            NodeCommand.class,
            PubCommand.class,
            SubCommand.class,
            PutCommand.class,
            GetCommand.class,
            SendCommand.class,
            RecvCommand.class,
            RequestCommand.class,
            ServeCommand.class,
            RSocketCommand.class,
            DemoCommand.class,
            PasswdCommand.class,
            TapCommand.class,
            RecordCommand.class,
            ReplayCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {"", "Run 'daak help COMMAND' for the options of a command. See docs/cli.md."})
public final class DaakCli implements Runnable {

    /** Exit code of a command that failed (cannot connect, no responders, missing key...). */
    public static final int FAILED = 1;

    /** Exit code of a command line that is wrong (unknown command or option, malformed argument). */
    public static final int USAGE = 2;

    private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    @Spec
    CommandSpec spec;

    final InputStream in;
    final PrintStream out;
    final PrintStream err;

    private DaakCli(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs a command and exits the JVM with its exit code. Logging goes to standard error at WARN unless
     * {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} says otherwise.
     *
     * @param args the command line, e.g. {@code pub demo/hello world}
     */
    public static void main(String[] args) {
        if (System.getProperty(LOG_LEVEL) == null) {
            System.setProperty(LOG_LEVEL, "warn");
        }
        System.exit(run(args, System.in, System.out, System.err));
    }

    /**
     * Runs a command in this JVM.
     *
     * @param args the command line without the program name
     * @param in what {@code --stdin} reads
     * @param out where results go
     * @param err where errors, usage and progress go
     * @return the exit code: 0 success, {@value #FAILED} failure, {@value #USAGE} bad usage
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        CommandLine line = new CommandLine(new DaakCli(in, out, err))
                .setOut(writer(out))
                .setErr(writer(err))
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cl, parsed) -> {
                    Throwable cause = Exceptions.unwrap(e); // what block() wrapped
                    err.println("daak " + cl.getCommandName() + ": " + message(cause));
                    return cause instanceof IllegalArgumentException ? USAGE : FAILED;
                });
        return line.execute(args);
    }

    /**
     * Runs a command in this JVM with an empty standard input.
     *
     * @param args the command line without the program name
     * @param out where results go
     * @param err where errors, usage and progress go
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, InputStream.nullInputStream(), out, err);
    }

    /** Without a command: the usage. */
    @Override
    public void run() {
        spec.commandLine().usage(out);
    }

    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
    }

    /** What a user reads when a command fails: the message alone for the errors written for users. */
    static String message(Throwable e) {
        boolean written = e instanceof DaakException
                || e instanceof RSocketErrorException
                || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException;
        return written && e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
