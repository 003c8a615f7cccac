package io.daak.benchmarks.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link NetServer} in a child JVM started from this JVM's class path, so that the node's heap,
 * threads and JIT are its own, as nats-server's are. Not thread-safe.
 */
final class ServerProcess implements AutoCloseable {

    /** The child's JVM options: a fixed 1 GiB heap as the JMH benchmarks use, quiet logging. */
    static final List<String> JVM_OPTIONS =
            List.of("-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

    /**
     * A system property with more options for the child JVM, space-separated, e.g. a flight recording:
     * {@code -Ddaak.bench.nodeJvmOptions="-XX:StartFlightRecording=filename=node.jfr"}.
     */
    static final String EXTRA_OPTIONS = "daak.bench.nodeJvmOptions";

    private final Process process;
    private final BufferedReader in;
    private final PrintStream out;
    private final int daakPort;
    private final int rsocketPort;

    private ServerProcess(Process process, BufferedReader in, PrintStream out, int daakPort, int rsocketPort) {
        this.process = process;
        this.in = in;
        this.out = out;
        this.daakPort = daakPort;
        this.rsocketPort = rsocketPort;
    }

    /** Starts the child and waits until its servers accept connections. */
    static ServerProcess start() {
        Process p =
                io.daak.benchmarks.Harness.startJvm("node JVM", JVM_OPTIONS, EXTRA_OPTIONS, NetServer.class, List.of());
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8);
        String ready = readLine(p, in, "READY");
        String[] parts = ready.split(" ");
        if (parts.length != 3 || !parts[0].equals("READY")) {
            p.destroyForcibly();
            throw new IllegalStateException("the node JVM said '" + ready + "' instead of READY <port> <port>");
        }
        return new ServerProcess(p, in, out, Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    }

    /**
     * The child's next answer: a line starting with {@code prefix} or {@code ERROR}; other lines (the
     * JVM's own output, e.g. of a flight recording) are passed on to standard error.
     */
    private static String readLine(Process p, BufferedReader in, String prefix) {
        try {
            while (true) {
                String line = in.readLine();
                if (line == null) {
                    throw new IllegalStateException("the node JVM exited (code " + p.waitFor() + ") before answering");
                }
                if (line.startsWith(prefix) || line.startsWith("ERROR")) {
                    return line;
                }
                io.daak.benchmarks.Harness.passOn("node JVM", line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The Daak node's URI. */
    String daakUri() {
        return "tcp://127.0.0.1:" + daakPort;
    }

    /** The bare RSocket echo server's port. */
    int rsocketPort() {
        return rsocketPort;
    }

    /** The child's process id. */
    long pid() {
        return process.pid();
    }

    /** Milliseconds the child's JIT compilers have worked so far. */
    long compileMillis() {
        return Long.parseLong(ask("jit", "JIT", 2)[1]);
    }

    /** The child's heap and connections, after full collections. */
    Heap heap() {
        String[] parts = ask("heap", "HEAP", 5);
        return new Heap(
                Long.parseLong(parts[1]),
                Long.parseLong(parts[2]),
                Integer.parseInt(parts[3]),
                Integer.parseInt(parts[4]),
                residentBytes(process.pid()));
    }

    /** Sends a command and returns the answer's words: {@code words} of them, the first {@code answer}. */
    private synchronized String[] ask(String command, String answer, int words) {
        out.println(command);
        String line = readLine(process, in, answer);
        String[] parts = line.split(" ");
        if (parts.length != words || !parts[0].equals(answer)) {
            throw new IllegalStateException("the node JVM answered '" + line + "' to " + command);
        }
        return parts;
    }

    /** The resident set size of a process in bytes from {@code /proc}, -1 where there is none. */
    static long residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * What the node's JVM holds.
     *
     * @param usedHeap used heap after full collections, bytes
     * @param direct direct memory held by Netty's allocator, bytes
     * @param threads live threads
     * @param connections client connections the node has
     * @param resident the process's resident set size, bytes (-1 unknown)
     */
    record Heap(long usedHeap, long direct, int threads, int connections, long resident) {}

    @Override
    public void close() {
        io.daak.benchmarks.Harness.quit(process, out);
    }
}
