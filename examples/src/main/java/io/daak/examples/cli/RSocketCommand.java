package io.daak.examples.cli;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.metadata.CompositeMetadataCodec;
import io.rsocket.metadata.TaggingMetadataCodec;
import io.rsocket.metadata.WellKnownMimeType;
import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.client.WebsocketClientTransport;
import io.rsocket.util.ByteBufPayload;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code daak rsocket URI ...}: a generic RSocket client for any RSocket server, Daak or not. With
 * {@code --route} the metadata is composite ({@code message/x.rsocket.composite-metadata.v0}) with a routing
 * entry, which is what Daak nodes and Spring's {@code @MessageMapping} servers expect.
 */
@Command(
        name = "rsocket",
        description = {
            "Talks to any RSocket server, Daak or not.",
            "One interaction; the data of each response payload is printed as text on its own line."
        },
        footer = {
            "",
            "Examples:",
            "  daak rsocket tcp://localhost:7000 --route greet --data hello",
            "  daak rsocket tcp://localhost:7000 --stream --route prices --data EUR --count 3",
            "  daak rsocket ws://localhost:8080/rsocket --channel --route chat -d a -d b",
            "  daak rsocket tcp://localhost:7878 --route put/robots/r1/mode \\",
            "      --data-mime application/json --data '\"idle\"'",
            "  daak rsocket tcp://localhost:7878 --stream --route 'subscribe/demo/**' --count 3"
        })
final class RSocketCommand implements Callable<Integer> {

    private static final String COMPOSITE = WellKnownMimeType.MESSAGE_RSOCKET_COMPOSITE_METADATA.getString();

    @ParentCommand
    DaakCli cli;

    @Parameters(index = "0", paramLabel = "URI", description = "tcp://host:port or ws://host:port/path.")
    String uri;

    @Option(names = "--route", paramLabel = "ROUTE", description = "The route, sent as composite routing metadata.")
    @Nullable
    String route;

    @Option(
            names = {"--data", "-d"},
            paramLabel = "DATA",
            description = "The request data (text). Repeat it with --channel to send several payloads.")
    List<String> data = new ArrayList<>();

    @Option(
            names = "--data-mime",
            paramLabel = "MIME",
            defaultValue = "text/plain",
            description = "The data MIME type in SETUP (default: ${DEFAULT-VALUE}).")
    String dataMime = "text/plain";

    @Option(
            names = "--metadata",
            paramLabel = "TEXT",
            description = "Metadata (text). With --route: one more composite entry. Without: the whole metadata.")
    @Nullable
    String metadata;

    @Option(
            names = "--metadata-mime",
            paramLabel = "MIME",
            description = "The MIME type of --metadata. With --route: of its composite entry (default text/plain)."
                    + " Without --route: the metadata MIME type in SETUP (required with --metadata; default"
                    + " message/x.rsocket.composite-metadata.v0).")
    @Nullable
    String metadataMime;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Interaction interaction = new Interaction();

    @Option(
            names = "--count",
            paramLabel = "N",
            converter = Positive.class,
            description = "With --stream or --channel: stop after N responses (cancels the stream).")
    long count = -1;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = Durations.class,
            description =
                    "How long to wait to connect and, with --request, for the response (default: ${DEFAULT-VALUE}).")
    java.time.Duration timeout = java.time.Duration.ofSeconds(30);

    /** The interaction model; request-response when none is given. */
    static final class Interaction {
        @Option(names = "--fnf", description = "Fire-and-forget: send, expect nothing.")
        boolean fireAndForget;

        @Option(names = "--request", description = "Request-response (the default).")
        boolean request;

        @Option(names = "--stream", description = "Request-stream: print every response until the stream ends.")
        boolean stream;

        @Option(names = "--channel", description = "Request-channel: send every --data, print every response.")
        boolean channel;
    }

    @Override
    public Integer call() {
        if (metadata != null && route == null && metadataMime == null) {
            throw new IllegalArgumentException(
                    "--metadata without --route needs --metadata-mime (the MIME type the server expects in SETUP)");
        }
        if (data.size() > 1 && !interaction.channel) {
            throw new IllegalArgumentException("several --data need --channel; the other interactions send one");
        }
        ClientTransport transport = transport(uri);
        String setupMetadataMime = route != null || metadataMime == null ? COMPOSITE : metadataMime;
        RSocket socket = RSocketConnector.create()
                .metadataMimeType(setupMetadataMime)
                .dataMimeType(dataMime)
                .connect(transport)
                .timeout(timeout)
                .onErrorMap(e -> new IllegalStateException(
                        "cannot connect to " + uri + ": " + rootMessage(e) + "; is an RSocket server listening there?",
                        e))
                .block();
        if (socket == null) {
            throw new IllegalStateException("cannot connect to " + uri);
        }
        try {
            if (interaction.fireAndForget) {
                socket.fireAndForget(payload(first(), true)).block(timeout);
                return 0;
            }
            Flux<Payload> responses;
            if (interaction.stream) {
                responses = socket.requestStream(payload(first(), true));
            } else if (interaction.channel) {
                List<String> sent = data.isEmpty() ? List.of("") : data;
                Flux<Payload> out = Flux.range(0, sent.size()).map(i -> payload(sent.get(i), i == 0));
                responses = socket.requestChannel(out);
            } else {
                responses = socket.requestResponse(payload(first(), true))
                        .timeout(
                                timeout,
                                Mono.error(() -> new IllegalStateException(
                                        "no response from " + uri + " within " + Durations.format(timeout))))
                        .flux();
            }
            if (count > 0) {
                responses = responses.take(count);
            }
            boolean completed = Await.completion(responses.doOnNext(p -> {
                try {
                    cli.out.println(p.getDataUtf8());
                } finally {
                    p.release();
                }
            }));
            return completed ? 0 : Await.INTERRUPTED;
        } finally {
            socket.dispose();
            if (!Thread.currentThread().isInterrupted()) {
                socket.onClose().onErrorComplete().block(timeout);
            }
        }
    }

    private String first() {
        return data.isEmpty() ? "" : data.get(0);
    }

    /** A payload the caller owns; routing and metadata on the first one of a stream only. */
    private Payload payload(String text, boolean withMetadata) {
        ByteBuf body = Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
        if (!withMetadata || (route == null && metadata == null)) {
            return ByteBufPayload.create(body);
        }
        if (route == null) {
            return ByteBufPayload.create(body, utf8(metadata));
        }
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        CompositeByteBuf composite = alloc.compositeBuffer();
        CompositeMetadataCodec.encodeAndAddMetadata(
                composite,
                alloc,
                WellKnownMimeType.MESSAGE_RSOCKET_ROUTING,
                TaggingMetadataCodec.createTaggingContent(alloc, List.of(route)));
        if (metadata != null) {
            CompositeMetadataCodec.encodeAndAddMetadataWithCompression(
                    composite, alloc, metadataMime != null ? metadataMime : "text/plain", utf8(metadata));
        }
        return ByteBufPayload.create(body, composite);
    }

    private static ByteBuf utf8(@Nullable String text) {
        return ByteBufUtil.writeUtf8(ByteBufAllocator.DEFAULT, text == null ? "" : text);
    }

    static ClientTransport transport(String text) {
        URI parsed;
        try {
            parsed = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("uri='" + text + "' is not a valid URI: " + e.getMessage(), e);
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (parsed.getHost() == null) {
            throw new IllegalArgumentException(
                    "uri='" + text + "' has no host; write tcp://host:port or ws://host:port/path");
        }
        return switch (scheme) {
            case "tcp" -> {
                if (parsed.getPort() < 0) {
                    throw new IllegalArgumentException("uri='" + text + "' has no port; write tcp://host:port");
                }
                yield TcpClientTransport.create(parsed.getHost(), parsed.getPort());
            }
            case "ws", "wss" -> WebsocketClientTransport.create(parsed);
            default ->
                throw new IllegalArgumentException("uri='" + text + "' has the scheme '" + scheme
                        + "'; use tcp://host:port or ws://host:port/path");
        };
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
