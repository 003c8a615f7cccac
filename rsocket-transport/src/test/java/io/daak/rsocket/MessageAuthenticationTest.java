package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.Fields;
import io.daak.core.Interceptor;
import io.daak.core.Invocation;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.Operation;
import io.daak.core.Retention;
import io.daak.core.Selector;
import io.daak.core.Start;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Message authentication between clients through a node that tampers with messages: subscribers with
 * the key drop (and count) what the node altered and what a client without the key forged.
 */
@ExtendWith(NoLeaks.class)
class MessageAuthenticationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AtomicLong NAMES = new AtomicLong();
    private static final byte[] KEY = new byte[32];
    private static DaakNode node;

    /** A compromised node: flips the last byte of every value it delivers on a {@code .../tampered/...} topic. */
    private static final Interceptor TAMPER = new Interceptor() {
        @Override
        @SuppressWarnings("unchecked")
        public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
            if (call.operation() != Operation.SUBSCRIBE) {
                return next.apply(call);
            }
            return Flux.from(next.apply(call)).map(r -> (R) tamper((Message<?>) r));
        }
    };

    private static Message<?> tamper(Message<?> m) {
        if (!(m.value() instanceof Encoded e) || !m.topic().contains("/tampered/") || e.bytes().length == 0) {
            return m;
        }
        byte[] b = e.bytes().clone();
        b[b.length - 1] ^= 1;
        return Message.of(m.topic(), new Encoded(b, e.mimeType(), e.type()), m.sequence(), m.timestamp(), m.fields());
    }

    @BeforeAll
    static void start() {
        new SecureRandom().nextBytes(KEY);
        node = DaakNode.builder()
                .host("127.0.0.1")
                .tcpPort(0)
                .webSocketPort(0)
                .engine(LocalOptions.defaults()
                        .retention("**", Retention.count(100))
                        .interceptor(TAMPER))
                .start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static String uri(String transport) {
        URI u = transport.equals("tcp") ? node.tcpUri() : node.webSocketUri();
        return u.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void shouldDropAndCountTamperedAndForgedMessages(String transport) {
        String base = "mac/t" + NAMES.incrementAndGet();
        MessageAuthentication publisherKeys = MessageAuthentication.hmacSha256(base + "/**", KEY);
        MessageAuthentication subscriberKeys = MessageAuthentication.hmacSha256(base + "/**", KEY);
        Topic<String> signed = Topic.of(base + "/signed/a", String.class);
        Topic<String> tampered = Topic.of(base + "/tampered/b", String.class);
        try (Daak forger = Daak.connect(uri(transport));
                Daak publisher = ConnectOptions.defaults()
                        .messageAuthentication(publisherKeys)
                        .connect(uri(transport));
                Daak subscriber = ConnectOptions.defaults()
                        .messageAuthentication(subscriberKeys)
                        .connect(uri(transport));
                Daak keyless = Daak.connect(uri(transport))) {
            forger.publish(signed, "forged").block(WAIT);
            forger.publish(
                            signed,
                            "forged with a made-up mac",
                            Fields.none().header(MessageAuthentication.HEADER, "v1:AAAA"))
                    .block(WAIT);
            publisher.publish(signed, "one", Fields.none().header("h", "x")).block(WAIT);
            publisher.publish(tampered, "altered by the node").block(WAIT);
            publisher.publishAll(signed, Flux.just("two", "three")).blockLast(WAIT);
            assertThat(publisher.publication(signed).tryPublish("four")).isTrue();
            assertThat(publisherKeys.signed()).isEqualTo(5);

            SubscribeOptions all = SubscribeOptions.defaults().start(Start.earliest());
            StepVerifier.create(subscriber
                            .subscribe(Selector.of(base + "/**", String.class), all)
                            .map(Message::value)
                            .take(4))
                    .expectNext("one", "two", "three", "four")
                    .expectComplete()
                    .verify(WAIT);
            assertThat(subscriberKeys.rejected()).isEqualTo(3);
            assertThat(subscriberKeys.verified()).isEqualTo(4);

            // Without the key a client sees everything, the node's alteration included.
            List<String> seen = keyless.subscribe(Selector.of(base + "/**", String.class), all)
                    .map(Message::value)
                    .take(7)
                    .collectList()
                    .block(WAIT);
            assertThat(seen).contains("forged", "altered by the nodd").doesNotContain("altered by the node");
        }
    }

    @Test
    void shouldCoverTopicHeadersTypeAndBytes() {
        MessageAuthentication m = MessageAuthentication.hmacSha256("a/**", KEY);
        io.netty.buffer.ByteBuf data = io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        try {
            var headers = m.sign("a/b", "text/plain", "java.lang.String", java.util.Map.of("h", "1"), data);
            assertThat(m.verify("a/b", "text/plain", "java.lang.String", headers, data))
                    .isTrue();
            assertThat(m.verify("a/c", "text/plain", "java.lang.String", headers, data))
                    .isFalse();
            assertThat(m.verify("a/b", "application/json", "java.lang.String", headers, data))
                    .isFalse();
            assertThat(m.verify("a/b", "text/plain", null, headers, data)).isFalse();
            var changed = new java.util.HashMap<>(headers);
            changed.put("h", "2");
            assertThat(m.verify("a/b", "text/plain", "java.lang.String", changed, data))
                    .isFalse();
            assertThat(m.verify(
                            "a/b",
                            "text/plain",
                            "java.lang.String",
                            headers,
                            io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1, 2, 4})))
                    .isFalse();
            // Topics no key covers are neither signed nor checked.
            assertThat(m.sign("b/x", "text/plain", null, java.util.Map.of(), data))
                    .isEmpty();
            assertThat(m.verify("b/x", "text/plain", null, java.util.Map.of(), data))
                    .isTrue();
            assertThat(m.rejected()).isEqualTo(5);
        } finally {
            data.release();
        }
    }
}
