package io.daak.tracing;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.util.Objects;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A tiny HTTP server with one route, {@code GET /metrics}: the Prometheus text exposition of a
 * registry, for a node (or any process) to be scraped.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * DaakMetrics metrics = DaakMetrics.of(registry);
 * try (DaakNode node = DaakNode.builder().engine(LocalOptions.defaults().interceptor(metrics)).start();
 *      MetricsEndpoint http = MetricsEndpoint.start(registry, "0.0.0.0", 9464)) {
 *   metrics.bindConnections(node::connections);
 *   node.onClose().block();
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class MetricsEndpoint implements AutoCloseable {

    /** The content type of the Prometheus text format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final DisposableServer server;

    private MetricsEndpoint(DisposableServer server) {
        this.server = server;
    }

    /**
     * Starts serving; returns once the port is bound.
     *
     * @param registry the registry to expose
     * @param host the address to bind, e.g. {@code 0.0.0.0}
     * @param port the port, 0 for a free one
     * @return the running endpoint; close it to stop
     */
    public static MetricsEndpoint start(PrometheusMeterRegistry registry, String host, int port) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port=" + port + " must be 0..65535");
        }
        DisposableServer server = HttpServer.create()
                .host(host)
                .port(port)
                .route(routes -> routes.get("/metrics", (req, res) -> res.header("Content-Type", CONTENT_TYPE)
                        .sendString(reactor.core.publisher.Mono.fromCallable(registry::scrape))))
                .bindNow();
        return new MetricsEndpoint(server);
    }

    /**
     * The bound address.
     *
     * @return host and port
     */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.address();
    }

    /**
     * The scrape URL, e.g. {@code http://localhost:9464/metrics}.
     *
     * @return the URL
     */
    public String url() {
        return "http://localhost:" + address().getPort() + "/metrics";
    }

    /** Stops serving. */
    @Override
    public void close() {
        server.disposeNow();
    }
}
