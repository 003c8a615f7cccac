package io.daak.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.examples.cli.Cli.Result;
import io.netty.buffer.ByteBuf;
import io.rsocket.ConnectionSetupPayload;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketServer;
import io.rsocket.metadata.CompositeMetadata;
import io.rsocket.metadata.RoutingMetadata;
import io.rsocket.metadata.WellKnownMimeType;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.transport.netty.server.WebsocketServerTransport;
import io.rsocket.util.DefaultPayload;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code daak rsocket} against a plain rsocket-java server (no Daak anywhere): the server answers every
 * interaction with the route it found in the composite metadata and the data it received.
 */
class RSocketCommandTest {

    private static final String ROUTING = WellKnownMimeType.MESSAGE_RSOCKET_ROUTING.getString();

    private static final BlockingQueue<String> fired = new LinkedBlockingQueue<>();
    private static final BlockingQueue<String> setups = new LinkedBlockingQueue<>();
    /** Counted down when the server sees the CLI cancel its stream (which arrives after the CLI exits). */
    private static final java.util.concurrent.CountDownLatch streamCancelled =
            new java.util.concurrent.CountDownLatch(1);

    private static CloseableChannel tcp;
    private static CloseableChannel ws;
    private static String uri;

    @BeforeAll
    static void startPlainRSocketServer() {
        SocketAcceptor acceptor = (ConnectionSetupPayload setup, RSocket peer) -> {
            setups.add(setup.metadataMimeType() + " | " + setup.dataMimeType());
            return Mono.just(new Echo());
        };
        tcp = RSocketServer.create(acceptor)
                .bind(TcpServerTransport.create("127.0.0.1", 0))
                .block(Cli.WAIT);
        ws = RSocketServer.create(acceptor)
                .bind(WebsocketServerTransport.create("127.0.0.1", 0))
                .block(Cli.WAIT);
        uri = "tcp://127.0.0.1:" + tcp.address().getPort();
    }

    @AfterAll
    static void stopServer() {
        tcp.dispose();
        ws.dispose();
    }

    /** Answers "route: data"; reads and releases every payload it gets. */
    private static final class Echo implements RSocket {

        @Override
        public Mono<Payload> requestResponse(Payload p) {
            String text = describe(p);
            if (text.startsWith("fail:")) {
                return Mono.error(new IllegalStateException("boom on " + text));
            }
            return Mono.just(DefaultPayload.create(text));
        }

        @Override
        public Flux<Payload> requestStream(Payload p) {
            String text = describe(p);
            return Flux.range(1, 1_000_000)
                    .map(i -> DefaultPayload.create(text + " " + i))
                    .doOnCancel(streamCancelled::countDown);
        }

        @Override
        public Mono<Void> fireAndForget(Payload p) {
            fired.add(describe(p));
            return Mono.empty();
        }

        @Override
        public Flux<Payload> requestChannel(Publisher<Payload> payloads) {
            List<String> route = new ArrayList<>();
            return Flux.from(payloads).map(p -> {
                boolean first = route.isEmpty();
                String text = describe(p);
                if (first) {
                    route.add(text.substring(0, text.indexOf(':')));
                    return DefaultPayload.create(text);
                }
                return DefaultPayload.create(route.get(0) + text);
            });
        }
    }

    private static String describe(Payload p) {
        try {
            String route = "";
            List<String> others = new ArrayList<>();
            if (p.hasMetadata()) {
                for (CompositeMetadata.Entry e : new CompositeMetadata(p.sliceMetadata(), false)) {
                    if (ROUTING.equals(e.getMimeType())) {
                        route = new RoutingMetadata(e.getContent()).iterator().next();
                    } else {
                        ByteBuf content = e.getContent();
                        others.add(e.getMimeType() + "=" + content.toString(java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            }
            return route + ": " + p.getDataUtf8() + (others.isEmpty() ? "" : " " + others);
        } finally {
            p.release();
        }
    }

    @Test
    void shouldRequestWithCompositeRouting() {
        Result r = Cli.run("rsocket", uri, "--route", "greet", "--data", "hello");
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).isEqualTo("greet: hello" + System.lineSeparator());
        assertThat(setups).contains("message/x.rsocket.composite-metadata.v0 | text/plain");
    }

    @Test
    void shouldAddMetadataAsACompositeEntryAndSetTheDataMimeType() {
        Result r = Cli.run(
                "rsocket",
                uri,
                "--request",
                "--route",
                "greet",
                "--data",
                "{}",
                "--data-mime",
                "application/json",
                "--metadata",
                "trace-1",
                "--metadata-mime",
                "application/x.trace");
        assertThat(r.out()).isEqualTo("greet: {} [application/x.trace=trace-1]" + System.lineSeparator());
        assertThat(setups).contains("message/x.rsocket.composite-metadata.v0 | application/json");
    }

    @Test
    void shouldPrintAStreamAndCancelItAfterCount() throws InterruptedException {
        Result r = Cli.run("rsocket", uri, "--stream", "--route", "ticks", "--data", "t", "--count", "3");
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).isEqualTo(lines("ticks: t 1", "ticks: t 2", "ticks: t 3"));
        assertThat(streamCancelled.await(Cli.WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .as("the server saw the stream cancelled")
                .isTrue();
    }

    @Test
    void shouldFireAndForget() throws InterruptedException {
        Result r = Cli.run("rsocket", uri, "--fnf", "--route", "log", "--data", "started");
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(fired.poll(Cli.WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("log: started");
    }

    @Test
    void shouldRunAChannelWithTheRouteOnTheFirstPayload() {
        Result r = Cli.run("rsocket", uri, "--channel", "--route", "chat", "-d", "a", "-d", "b", "-d", "c");
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).isEqualTo(lines("chat: a", "chat: b", "chat: c"));
    }

    @Test
    void shouldTalkOverWebSocket() {
        Result r = Cli.run("rsocket", "ws://127.0.0.1:" + ws.address().getPort() + "/", "--route", "ws", "-d", "hi");
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).isEqualTo(lines("ws: hi"));
    }

    @Test
    void shouldReportServerErrorsConnectionFailuresAndBadArguments() {
        Result error = Cli.run("rsocket", uri, "--route", "fail", "-d", "x");
        assertThat(error.code()).isEqualTo(DaakCli.FAILED);
        assertThat(error.err()).contains("boom on fail: x");

        Result refused = Cli.run("rsocket", "tcp://127.0.0.1:1", "--route", "r", "-d", "x", "--timeout", "5s");
        assertThat(refused.code()).isEqualTo(DaakCli.FAILED);
        assertThat(refused.err()).startsWith("daak rsocket: cannot connect to tcp://127.0.0.1:1: ");

        Result both = Cli.run("rsocket", uri, "--stream", "--fnf", "-d", "x");
        assertThat(both.code()).isEqualTo(DaakCli.USAGE);
        assertThat(both.err()).contains("mutually exclusive");

        Result noPort = Cli.run("rsocket", "tcp://127.0.0.1", "-d", "x");
        assertThat(noPort.code()).isEqualTo(DaakCli.USAGE);
        assertThat(noPort.err()).contains("has no port");
    }

    private static String lines(String... lines) {
        return String.join(System.lineSeparator(), lines) + System.lineSeparator();
    }
}
