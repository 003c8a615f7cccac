package io.daak.benchmarks.shm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The second JVM of a shared-memory benchmark: {@link ShmPeer} started from this JVM's class path with
 * the export Agrona needs, answering {@code READY ...} once it serves. Not thread-safe.
 */
final class PeerProcess implements AutoCloseable {

    /** The export of {@code jdk.internal.misc} that Agrona 2.x (shm-flux and Aeron) needs, as two arguments. */
    static final List<String> EXPORTS = List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED");

    /**
     * A system property with more options for the peer JVM, space-separated, e.g. a flight recording:
     * {@code -Ddaak.bench.peerJvmOptions="-XX:StartFlightRecording=filename=peer.jfr"}.
     */
    static final String EXTRA_OPTIONS = "daak.bench.peerJvmOptions";

    private final Process process;
    private final PrintStream in;
    private final String ready;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    private PeerProcess(Process process, PrintStream in, String ready) {
        this.process = process;
        this.in = in;
        this.ready = ready;
    }

    /** Starts {@code ShmPeer args} and waits for its READY line. */
    static PeerProcess start(String... args) {
        List<String> options = new ArrayList<>(EXPORTS);
        options.addAll(List.of("-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        Process p =
                io.daak.benchmarks.Harness.startJvm("peer JVM", options, EXTRA_OPTIONS, ShmPeer.class, List.of(args));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        try {
            for (String line = out.readLine(); ; line = out.readLine()) {
                if (line == null) {
                    throw new IllegalStateException("the peer JVM exited (code " + p.waitFor() + ") before READY");
                }
                if (line.startsWith("READY")) {
                    PeerProcess peer = new PeerProcess(
                            p, new PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8), line);
                    Thread drain = new Thread(() -> peer.forward(out), "peer-output");
                    drain.setDaemon(true);
                    drain.start();
                    return peer;
                }
                io.daak.benchmarks.Harness.passOn("peer JVM", line);
            }
        } catch (IOException e) {
            p.destroyForcibly();
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Passes the peer's output on, but for answers to commands. */
    private void forward(BufferedReader out) {
        try {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(io.daak.benchmarks.Warmup.JIT)) {
                    answers.add(line);
                    continue;
                }
                io.daak.benchmarks.Harness.passOn("peer JVM", line);
            }
        } catch (IOException e) {
            // The peer is gone.
        }
    }

    /**
     * Milliseconds the peer's JIT compilers have worked so far (its answer to {@code jit}).
     *
     * @throws IllegalStateException when the peer does not answer within 10 s
     */
    synchronized long compileMillis() {
        answers.clear();
        in.println("jit");
        String line;
        try {
            line = answers.poll(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the peer JVM's answer to 'jit'", e);
        }
        if (line == null) {
            throw new IllegalStateException("the peer JVM did not answer 'jit' within 10 s");
        }
        return Long.parseLong(
                line.substring(io.daak.benchmarks.Warmup.JIT.length()).trim());
    }

    /** The words of the READY line after {@code READY}. */
    String[] ready() {
        String[] words = ready.split(" ");
        return java.util.Arrays.copyOfRange(words, 1, words.length);
    }

    /** Asks the peer to quit, and kills it when it has not within 15 s. */
    @Override
    public void close() {
        io.daak.benchmarks.Harness.quit(process, in);
    }
}
