package io.daak.examples.cli;

import io.daak.core.LocalOptions;
import io.daak.core.Retention;
import io.daak.rsocket.DaakNode;
import io.daak.rsocket.auth.NodeSecurity;
import io.daak.tracing.DaakMetrics;
import io.daak.tracing.MetricsEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code daak node}: runs a node until SIGINT/SIGTERM (or, in process, an interrupt). */
@Command(
        name = "node",
        description = {
            "Runs a Daak node (TCP and WebSocket, and shared memory with --shm).",
            "Prints one line with its addresses and runs until Ctrl-C (SIGINT) or SIGTERM, then shuts down"
                    + " gracefully: open subscriptions end, unacknowledged deliveries return to their queues."
        })
final class NodeCommand implements Callable<Integer> {

    @ParentCommand
    DaakCli cli;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--host",
            paramLabel = "HOST",
            defaultValue = "0.0.0.0",
            description = "The interface to listen on (default: ${DEFAULT-VALUE}, all).")
    String host = "0.0.0.0";

    @Option(
            names = "--tcp-port",
            paramLabel = "PORT",
            defaultValue = "" + DaakNode.DEFAULT_TCP_PORT,
            description = "The TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int tcpPort = DaakNode.DEFAULT_TCP_PORT;

    @Option(
            names = "--ws-port",
            paramLabel = "PORT",
            defaultValue = "" + DaakNode.DEFAULT_WEBSOCKET_PORT,
            description = "The WebSocket port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int webSocketPort = DaakNode.DEFAULT_WEBSOCKET_PORT;

    @Option(names = "--no-tcp", description = "Serve no TCP.")
    boolean noTcp;

    @Option(names = "--no-ws", description = "Serve no WebSocket.")
    boolean noWebSocket;

    @Option(
            names = "--shm",
            paramLabel = "PATH",
            description = "Also serve clients on this host through shared memory: they connect to"
                    + " shm://PATH (absolute, e.g. shm:///tmp/daak.sock); PATH is the Unix-domain socket of the"
                    + " handshake. See docs/shm.md.")
    Path shm;

    @Option(
            names = "--retain",
            paramLabel = "PATTERN=COUNT",
            description = "Keep the last COUNT messages of the topics matching PATTERN, for subscribers that"
                    + " start earlier than now (sub --start earliest). Repeatable; the first matching rule wins."
                    + " Other topics keep their latest message.")
    Map<String, Long> retain = new LinkedHashMap<>();

    @Option(
            names = "--auth",
            paramLabel = "FILE",
            description = "Turns on authentication and access rules: the identities (hashed passwords and tokens,"
                    + " see 'daak passwd') and what each may do, a JSON file described in docs/security.md.")
    Path auth;

    @Option(
            names = "--tls-cert",
            paramLabel = "PEM",
            description = "Serves TLS (tls:// and wss://) with this certificate chain; needs --tls-key.")
    Path tlsCertificate;

    @Option(
            names = "--tls-key",
            paramLabel = "PEM",
            description = "The unencrypted PKCS#8 private key of --tls-cert (-----BEGIN PRIVATE KEY-----).")
    Path tlsKey;

    @Option(
            names = "--io-threads",
            paramLabel = "N",
            description = "Threads serving TCP and WebSocket connections (default: one per processor).")
    Integer ioThreads;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics (messages, bytes, latency per"
                    + " topic group, queues, requests, connections); 0 picks a free port. Off by default.")
    Integer metricsPort;

    @Override
    public Integer call() {
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--tls-cert and --tls-key go together: give both or neither");
        }
        LocalOptions options = LocalOptions.defaults();
        for (Map.Entry<String, Long> rule : retain.entrySet()) {
            options = options.retention(rule.getKey(), Retention.count(rule.getValue()));
        }
        PrometheusMeterRegistry registry = null;
        DaakMetrics metrics = null;
        if (metricsPort != null) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            metrics = DaakMetrics.of(registry);
            options = options.interceptor(metrics);
        }
        DaakNode.Builder builder = DaakNode.builder().host(host).engine(options);
        builder = noTcp ? builder.noTcp() : builder.tcpPort(tcpPort);
        builder = noWebSocket ? builder.noWebSocket() : builder.webSocketPort(webSocketPort);
        if (shm != null) {
            builder = builder.shmPath(shm);
        }
        if (ioThreads != null) {
            try {
                builder = builder.ioThreads(ioThreads);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--io-threads " + e.getMessage());
            }
        }
        if (auth != null) {
            try {
                builder = builder.security(NodeSecurity.fromFile(auth));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--auth " + e.getMessage());
            }
        }
        if (tlsCertificate != null) {
            builder = builder.tls(tlsCertificate, tlsKey);
        }
        DaakNode node = builder.start();
        MetricsEndpoint endpoint = null;
        if (registry != null) {
            metrics.bindConnections(node::connections);
            try {
                endpoint = MetricsEndpoint.start(registry, host, metricsPort);
            } catch (RuntimeException e) {
                node.close();
                throw e;
            }
        }
        MetricsEndpoint http = endpoint;

        CountDownLatch closed = new CountDownLatch(1);
        node.onClose().subscribe(v -> {}, e -> closed.countDown(), closed::countDown);
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                if (http != null) {
                    http.close();
                }
                node.close();
                cli.out.println("daak node: stopped");
            }
        };
        Thread hook = new Thread(stop, "daak-node-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        StringBuilder line = new StringBuilder("daak node:");
        if (!noTcp) {
            line.append(tlsCertificate != null ? " tls://" : " tcp://")
                    .append(host)
                    .append(':')
                    .append(node.tcpAddress().getPort());
        }
        if (!noWebSocket) {
            line.append(tlsCertificate != null ? " wss://" : " ws://")
                    .append(host)
                    .append(':')
                    .append(node.webSocketAddress().getPort())
                    .append('/');
        }
        if (shm != null) {
            line.append(' ').append(node.shmUri());
        }
        if (auth != null) {
            line.append(" (authentication on)");
        }
        if (http != null) {
            line.append(" metrics http://")
                    .append(host)
                    .append(':')
                    .append(http.address().getPort())
                    .append("/metrics");
        }
        cli.out.println(line);
        boolean interrupted = false;
        try {
            closed.await();
        } catch (InterruptedException e) {
            interrupted = true; // stop as on SIGINT; the flag is set again once the node is closed
        }
        stop.run();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running (SIGINT/SIGTERM): it closes the node.
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
