package io.daak.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.Key;
import io.daak.core.Message;
import io.daak.core.Registration;
import io.daak.core.Selector;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.daak.core.Start;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import io.daak.rsocket.DaakNode;
import io.rsocket.exceptions.InvalidException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.http.codec.json.JacksonJsonEncoder;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.messaging.rsocket.RSocketStrategies;
import org.springframework.util.MimeType;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Spring's {@link RSocketRequester} as a client of a Daak node: the wire contract spoken by a
 * third-party RSocket client, with Java Daak clients on the other side.
 */
class SpringRSocketRequesterTest {

    /** The composite metadata entry with Daak's optional fields (start, headers, ...). */
    static final MimeType DAAK_FIELDS = MimeType.valueOf("application/vnd.daak.fields+json");

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static DaakNode node;
    private static Daak java;
    private static RSocketRequester spring;

    /** A JSON value both sides know. */
    record Reading(String sensor, double celsius) {}

    /** {@code put/<key>}'s result. */
    record Revision(long revision) {}

    /** {@code publish/<topic>}'s result. */
    record Published(String topic, long sequence, int matched, int dropped) {}

    @BeforeAll
    static void start() {
        node = DaakNode.builder().host("127.0.0.1").tcpPort(0).webSocketPort(0).start();
        java = Daak.connect(node.tcpUri().toString());
        spring = requester(node.tcpAddress().getPort());
    }

    @AfterAll
    static void stop() {
        spring.dispose();
        java.close();
        node.close();
    }

    /** The requester set-up docs/spring.md shows. */
    static RSocketRequester requester(int port) {
        // The defaults (CharSequence, byte[], ByteBuffer, DataBuffer) come first: a String is sent and
        // received as written. Jackson after them, for objects: values and JSON results.
        RSocketStrategies strategies = RSocketStrategies.builder()
                .encoder(new JacksonJsonEncoder())
                .decoder(new JacksonJsonDecoder())
                .build();
        return RSocketRequester.builder()
                .rsocketStrategies(strategies)
                .metadataMimeType(MimeType.valueOf("message/x.rsocket.composite-metadata.v0"))
                .dataMimeType(MediaType.APPLICATION_JSON)
                .tcp("127.0.0.1", port);
    }

    @Test
    void shouldPublishAndAnswerTheJsonResult() throws Exception {
        Topic<Reading> r1 = Topic.of("spring/readings/r1", Reading.class);
        java.publish(r1, new Reading("r1", 20)).block(WAIT);
        // A Java subscriber from the latest retained reading on: once that arrived, it is live.
        CountDownLatch live = new CountDownLatch(1);
        CompletableFuture<List<Reading>> seenByJava = java.subscribe(
                        Selector.of("spring/readings/*", Reading.class),
                        SubscribeOptions.defaults().start(Start.latest()))
                .map(Message::value)
                .doOnNext(v -> live.countDown())
                .take(2)
                .collectList()
                .timeout(WAIT)
                .toFuture();
        assertThat(live.await(10, TimeUnit.SECONDS)).isTrue();

        StepVerifier.create(spring.route("publish/{topic}", "spring/readings/r1")
                        .data(new Reading("r1", 21.5))
                        .retrieveMono(Published.class))
                .expectNext(new Published("spring/readings/r1", 2, 1, 0))
                .expectComplete()
                .verify(WAIT);
        assertThat(seenByJava.get(10, TimeUnit.SECONDS))
                .containsExactly(new Reading("r1", 20), new Reading("r1", 21.5));
    }

    @Test
    void shouldStreamValuesPublishedByAJavaClient() {
        Topic<String> chat = Topic.of("spring/chat", String.class);
        java.publish(chat, "kept").block(WAIT);

        // start=latest: the node's retained message first, so the stream is known to be live before the
        // next publish.
        StepVerifier.create(spring.route("subscribe/spring/*")
                        .metadata("{\"start\":\"latest\"}", DAAK_FIELDS)
                        .retrieveFlux(String.class))
                .expectNext("kept")
                .then(() -> java.publish(chat, "hello").subscribe())
                .expectNext("hello")
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void shouldPutAndGet() {
        StepVerifier.create(spring.route("put/spring/config/r1")
                        .data(new Reading("r1", 19))
                        .retrieveMono(Revision.class))
                .expectNext(new Revision(1))
                .expectComplete()
                .verify(WAIT);

        StepVerifier.create(spring.route("get/spring/config/r1").retrieveMono(Reading.class))
                .expectNext(new Reading("r1", 19))
                .expectComplete()
                .verify(WAIT);
        assertThat(java.get(Key.of("spring/config/r1", Reading.class)).block(WAIT))
                .isEqualTo(new Reading("r1", 19));

        // A missing key completes empty.
        StepVerifier.create(spring.route("get/spring/config/none").retrieveMono(Reading.class))
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void shouldRequestAServiceServedByAJavaClient() {
        Service<String, String> greet = Service.of("spring/greet", String.class, String.class);
        Registration registration = java.serve(greet, ServiceHandler.requestReply(q -> Mono.just("hello " + q)))
                .block(WAIT);
        try {
            // A String is sent as written (Spring never JSON-encodes a String): on this application/json
            // connection a String request is the JSON text of a string. The reply, a Java String, arrives as
            // text/plain and Spring's StringDecoder reads it as it is.
            StepVerifier.create(spring.route("request/spring/greet")
                            .data("\"spring\"")
                            .retrieveMono(String.class))
                    .expectNext("hello spring")
                    .expectComplete()
                    .verify(WAIT);
        } finally {
            registration.dispose();
        }
    }

    @Test
    void shouldAnswerAnUnknownRouteWithInvalid() {
        StepVerifier.create(spring.route("frobnicate/x").retrieveMono(String.class))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(InvalidException.class)
                        .message()
                        .startsWith("[invalid]"))
                .verify(WAIT);
    }
}
