package io.daak.benchmarks.net;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A nats-server process on {@code 127.0.0.1} and a free port, started and stopped by the benchmark.
 * The binary is {@code $NATS_SERVER} or {@code nats-server} on the {@code PATH} (Debian's package
 * installs it in {@code /usr/sbin}). Not thread-safe.
 */
final class NatsServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final String version;

    private NatsServer(Process process, int port, String version) {
        this.process = process;
        this.port = port;
        this.version = version;
    }

    /** Where the binary is, if anywhere. */
    static Optional<Path> binary() {
        String env = System.getenv("NATS_SERVER");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        List<String> dirs = new ArrayList<>(
                List.of(Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/usr/local/bin", "/usr/bin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, "nats-server");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Why the NATS baseline cannot run, or null when it can. */
    static @Nullable String missing() {
        return binary().isPresent()
                ? null
                : "nats-server not found (not on PATH, not in /usr/sbin, NATS_SERVER unset): the NATS baseline is"
                        + " skipped; install it with 'apt-get install -y nats-server'";
    }

    /** Starts a server and waits until it accepts connections. */
    static NatsServer start() {
        Path binary = binary().orElseThrow(() -> new IllegalStateException(missing()));
        String version = versionOf(binary);
        int port = freePort();
        Process p;
        try {
            p = new ProcessBuilder(binary.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return new NatsServer(p, port, version);
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException(binary + " did not accept connections on port " + port, e);
                }
                // Waiting for an external process to listen: nothing to be signalled by.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    private static String versionOf(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version")
                    .redirectErrorStream(true)
                    .start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return v;
        } catch (IOException e) {
            return "nats-server (version unknown)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "nats-server (version unknown)";
        }
    }

    /** A port free at the time of the call. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The client URL. */
    String url() {
        return "nats://127.0.0.1:" + port;
    }

    /** The server's port. */
    int port() {
        return port;
    }

    /** What {@code nats-server --version} said. */
    String version() {
        return version;
    }

    /** The process id. */
    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
