package io.daak.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.daak.rsocket.DaakNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The SSE application against a real node: POST publishes, GET streams server-sent events. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@DirtiesContext
class SseAppTest {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> EVENT =
            new ParameterizedTypeReference<>() {};

    private static DaakNode node;

    @Autowired
    private WebTestClient http;

    @DynamicPropertySource
    static void daakUri(DynamicPropertyRegistry registry) {
        if (node == null) {
            node = DaakNode.builder()
                    .host("127.0.0.1")
                    .tcpPort(0)
                    .webSocketPort(0)
                    .start();
        }
        registry.add("daak.uri", () -> node.tcpUri().toString());
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void shouldStreamPostedMessagesAsServerSentEvents() throws Exception {
        // The node keeps the latest message of each topic: the stream starts with it (start=latest),
        // which also proves the subscription is in place before the second message is posted.
        http.post()
                .uri("/topics/sse/a")
                .contentType(MediaType.TEXT_PLAIN)
                .bodyValue("first")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.topic")
                .isEqualTo("sse/a")
                .jsonPath("$.sequence")
                .isEqualTo(1)
                .jsonPath("$.matched")
                .isEqualTo(0)
                .jsonPath("$.dropped")
                .isEqualTo(0);

        var events = http.get()
                .uri("/topics/sse/**?start=latest")
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(EVENT)
                .getResponseBody();
        CompletableFuture<List<ServerSentEvent<String>>> firstTwo =
                events.take(2).collectList().timeout(Duration.ofSeconds(10)).toFuture();

        http.post()
                .uri("/topics/sse/b")
                .contentType(MediaType.TEXT_PLAIN)
                .bodyValue("second")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .json("{\"topic\":\"sse/b\",\"sequence\":1,\"matched\":1,\"dropped\":0}");

        List<ServerSentEvent<String>> received = firstTwo.get(10, TimeUnit.SECONDS);
        assertThat(received)
                .extracting(ServerSentEvent::id, ServerSentEvent::event, ServerSentEvent::data)
                .containsExactly(tuple("1", "sse/a", "first"), tuple("1", "sse/b", "second"));
    }

    @Test
    void shouldAnswerBadRequestForASelectorAsPublishTopic() {
        http.post()
                .uri("/topics/sse/**")
                .contentType(MediaType.TEXT_PLAIN)
                .bodyValue("x")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error")
                .isNotEmpty();
    }

    @Test
    void shouldAnswerBadRequestForAnUnknownStart() {
        http.get()
                .uri("/topics/sse/a?start=yesterday")
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus()
                .isBadRequest();
    }
}
