package io.daak.examples.cli;

import io.daak.core.Daak;
import io.daak.core.DaakException;
import io.daak.core.Key;
import io.daak.rsocket.ConnectOptions;
import java.time.Duration;
import picocli.CommandLine.Option;
import reactor.core.publisher.Mono;

/**
 * The options every client command takes: where the node is, how values are read and printed, and how
 * long to wait for an answer. Not thread-safe (filled by picocli, then read by one command).
 */
final class ClientOptions {

    /** The key {@link #flush} reads; nothing writes it. */
    private static final Key<Object> FLUSH_KEY = Key.of("daak-cli/flush", Object.class);

    @Option(
            names = "--uri",
            paramLabel = "URI",
            defaultValue = "tcp://localhost:7878",
            description = "The node: tcp://host:port, ws://host:port/, with TLS tls://host:port and"
                    + " wss://host:port/, or on this host through shared memory shm:///path/to/node.sock"
                    + " (default: ${DEFAULT-VALUE}).")
    String uri = "tcp://localhost:7878";

    @Option(
            names = "--json",
            description = "Values are JSON (read with Jackson as JsonNode, printed as JSON); "
                    + "without it they are text (text/plain).")
    boolean json;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = Durations.class,
            description = "How long to wait for an answer, e.g. 500ms, 10s, 2m (default: ${DEFAULT-VALUE}).")
    Duration timeout = Duration.ofSeconds(30);

    @Option(
            names = "--user",
            paramLabel = "USER",
            description = "Authenticate as USER with the password in the environment variable DAAK_PASSWORD"
                    + " (a bearer token in DAAK_TOKEN is used when --user is not given).")
    String user;

    @Option(
            names = "--trust",
            paramLabel = "PEM",
            description = "Trust the certificates in this PEM file for tls:// and wss:// (default: the JVM's"
                    + " trust store, or -Ddaak.tls.trust).")
    java.nio.file.Path trust;

    /** Opens a handle to the node; it connects on first use. */
    Daak connect() {
        ConnectOptions options = ConnectOptions.defaults();
        if (user != null) {
            String password = System.getenv("DAAK_PASSWORD");
            if (password == null) {
                throw new DaakException(
                        "--user " + user + " needs the password in the environment variable " + "DAAK_PASSWORD");
            }
            options = options.user(user, password);
        } else if (System.getenv("DAAK_TOKEN") != null
                && !System.getenv("DAAK_TOKEN").isEmpty()) {
            options = options.token(System.getenv("DAAK_TOKEN"));
        }
        if (trust != null) {
            options = options.trust(trust);
        }
        return options.connect(uri);
    }

    /** How values are read from the command line and printed. */
    Values<?> values() {
        return json ? Values.JSON : Values.TEXT;
    }

    /** Waits for the one answer of a call, at most {@link #timeout}. */
    <T> Mono<T> bounded(Mono<T> call, String what) {
        return call.timeout(
                timeout,
                Mono.error(() -> new DaakException(what + ": no answer from " + uri + " within "
                        + Durations.format(timeout) + "; is the node overloaded? raise --timeout")));
    }

    /**
     * A round trip with no effect, whose answer proves that the node received every frame this handle
     * sent before it. Fire-and-forget frames (tryPublish, ack) have no answer of their own, and closing
     * the connection right after them could drop them.
     */
    void flush(Daak daak) {
        bounded(daak.entry(FLUSH_KEY), "flush").block();
    }
}
