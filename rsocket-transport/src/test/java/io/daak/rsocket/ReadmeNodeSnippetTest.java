package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The README's node snippet, run: a node, a client serving, another process-like client requesting. */
class ReadmeNodeSnippetTest {

    @Test
    void theReadmeNodeSnippetWorks() {
        Service<Integer, Integer> square = Service.of("math/square", Integer.class, Integer.class);
        try (DaakNode node = DaakNode.builder().tcpPort(0).webSocketPort(0).start()) {
            Daak client = Daak.connect(node.tcpUri().toString());
            client.serve(square, ServiceHandler.requestReply(x -> Mono.just(x * x)))
                    .block(Duration.ofSeconds(10));
            try (Daak other = Daak.connect(node.webSocketUri().toString())) {
                assertThat(other.request(square, 7).block(Duration.ofSeconds(10)))
                        .isEqualTo(49);
            }
            client.close();
        }
    }

    @Test
    void aSecondNodeOnTheSamePortFailsWithAClearMessage() {
        try (DaakNode node =
                DaakNode.builder().host("127.0.0.1").tcpPort(0).noWebSocket().start()) {
            int port = node.tcpAddress().getPort();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DaakNode.builder()
                            .host("127.0.0.1")
                            .tcpPort(port)
                            .noWebSocket()
                            .start())
                    .hasMessageContaining("cannot serve TCP on 127.0.0.1:" + port)
                    .hasMessageContaining("another node");
        }
    }

    @Test
    void aClientOfNoNodeFailsWithAClearMessage() {
        try (Daak nobody = Daak.connect("tcp://127.0.0.1:1")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                            nobody.get(io.daak.core.Key.of("k", String.class)).block(Duration.ofSeconds(10)))
                    .hasMessageContaining("cannot connect to tcp://127.0.0.1:1")
                    .hasMessageContaining("is a Daak node running there");
        }
    }

    @Test
    void aValueDeclaredAsObjectReachesATypedSubscriberAsItsOwnClass() {
        try (DaakNode node = DaakNode.builder()
                        .host("127.0.0.1")
                        .tcpPort(0)
                        .noWebSocket()
                        .start();
                Daak a = Daak.connect(node.tcpUri().toString());
                Daak b = Daak.connect(node.tcpUri().toString())) {
            io.daak.core.Topic<String> typed = io.daak.core.Topic.of("objects/a", String.class);
            reactor.test.StepVerifier v = b.subscribe(typed)
                    .map(io.daak.core.Message::value)
                    .take(1)
                    .as(reactor.test.StepVerifier::create)
                    .expectNext("hi")
                    .expectComplete()
                    .verifyLater();
            // Published until the other connection's subscription is in place at the node.
            reactor.core.publisher.Flux.defer(
                            () -> a.publish(io.daak.core.Topic.of("objects/a", Object.class), (Object) "hi"))
                    .repeat()
                    .filter(r -> r.matched() == 1)
                    .blockFirst(Duration.ofSeconds(10));
            v.verify(Duration.ofSeconds(10));
        }
    }
}
