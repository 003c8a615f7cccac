package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Change;
import io.daak.core.Daak;
import io.daak.core.DaakException;
import io.daak.core.DeniedException;
import io.daak.core.Fields;
import io.daak.core.Key;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.NoRespondersException;
import io.daak.core.Queue;
import io.daak.core.Retention;
import io.daak.core.Selector;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.daak.core.Start;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import io.daak.rsocket.auth.Access;
import io.daak.rsocket.auth.NodeSecurity;
import io.daak.rsocket.auth.PasswordHash;
import io.daak.rsocket.auth.Permission;
import io.rsocket.exceptions.RejectedSetupException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Authentication at SETUP and access rules, over TCP and WebSocket. */
@ExtendWith(NoLeaks.class)
class AuthTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AtomicLong NAMES = new AtomicLong();
    private static DaakNode node;

    @BeforeAll
    static void start() {
        // Few iterations: the tests check the protocol, not the stretching.
        NodeSecurity security = NodeSecurity.builder()
                .user("alice", PasswordHash.hash("alice-pw".toCharArray(), 1000), Access.all())
                .user(
                        "bob",
                        PasswordHash.hash("bob pw/é:@".toCharArray(), 1000),
                        Access.none()
                                .allow(Permission.PUBLISH, "bob/**")
                                .allow(Permission.SUBSCRIBE, "**/public/**")
                                .allow(Permission.SUBSCRIBE, "bob/**")
                                .allow(Permission.READ, "**/public/**")
                                .allow(Permission.WRITE, "bob/**")
                                .allow(Permission.SEND, "bob/**")
                                .allow(Permission.RECV, "bob/**")
                                .allow(Permission.SERVE, "bob/**")
                                .allow(Permission.REQUEST, "bob/**"))
                .token(
                        "robot",
                        PasswordHash.hashToken("robot-token-123".toCharArray()),
                        Access.none().allow(Permission.PUBLISH, "robots/**"))
                .build();
        node = DaakNode.builder()
                .host("127.0.0.1")
                .tcpPort(0)
                .webSocketPort(0)
                .engine(LocalOptions.defaults().retention("**", Retention.count(100)))
                .security(security)
                .start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static String uri(String transport, String userInfo) {
        URI u = transport.equals("tcp") ? node.tcpUri() : node.webSocketUri();
        return u.getScheme() + "://" + (userInfo.isEmpty() ? "" : userInfo + "@") + u.getAuthority() + u.getPath();
    }

    private static Daak alice(String transport) {
        return Daak.connect(uri(transport, "alice:alice-pw"));
    }

    private static Daak bob(String transport) {
        // A password with a space, a slash, a colon, an at sign and a non-ASCII letter, URL-encoded.
        return Daak.connect(uri(transport, "bob:bob%20pw%2F%C3%A9%3A%40"));
    }

    private static String unique(String prefix) {
        return prefix + "/t" + NAMES.incrementAndGet();
    }

    private static void refused(Daak d, String reason) {
        try (d) {
            StepVerifier.create(d.publish(Topic.of("public/x", String.class), "x"))
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(DaakException.class).hasMessageContaining(reason);
                        assertThat(e).hasCauseInstanceOf(RejectedSetupException.class);
                    })
                    .verify(WAIT);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void shouldRejectSetupWithoutCredentials(String transport) {
        refused(Daak.connect(uri(transport, "")), "authentication required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void shouldRejectWrongPasswordAndUnknownUserWithTheSameReason(String transport) {
        refused(Daak.connect(uri(transport, "alice:wrong")), "authentication failed: unknown user or wrong password");
        refused(
                Daak.connect(uri(transport, "mallory:alice-pw")),
                "authentication failed: unknown user or wrong password");
        refused(
                ConnectOptions.defaults().user("alice", "").connect(uri(transport, "")),
                "authentication failed: unknown user or wrong password");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void shouldRejectUnknownToken(String transport) {
        refused(Daak.connect(uri(transport, "") + "?token=nope"), "authentication failed: unknown or revoked token");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void shouldAuthenticateAndStampTheIdentityAsSender(String transport) {
        String base = unique("robots");
        Topic<String> topic = Topic.of(base + "/a", String.class);
        try (Daak alice = alice(transport);
                Daak robot = Daak.connect(uri(transport, "") + "?token=robot-token-123");
                Daak robot2 = ConnectOptions.defaults().token("robot-token-123").connect(uri(transport, ""))) {
            // A client cannot claim to be someone else: the node replaces the sender.
            StepVerifier.create(robot.publish(topic, "one", Fields.none().sender("alice")))
                    .assertNext(r -> assertThat(r.sequence()).isEqualTo(1))
                    .verifyComplete();
            StepVerifier.create(robot2.publish(topic, "two")).expectNextCount(1).verifyComplete();
            StepVerifier.create(alice.subscribe(
                                    topic.selector(),
                                    SubscribeOptions.defaults().start(Start.earliest()))
                            .take(2))
                    .assertNext(m -> assertThat(m.sender()).isEqualTo("robot"))
                    .assertNext(m -> assertThat(m.value()).isEqualTo("two"))
                    .verifyComplete();
        }
    }

    private static void denied(Mono<?> call, String what) {
        StepVerifier.create(call)
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(DeniedException.class)
                        .hasMessageContaining("identity 'bob' may not " + what))
                .verify(WAIT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void shouldDenyPublishPutDeleteAndSendAndChangeNothing(String transport) {
        String base = unique("alice");
        Topic<String> topic = Topic.of(base + "/t", String.class);
        Key<String> key = Key.of(base + "/k", String.class);
        Key<String> publicKey = Key.of(unique("x") + "/public/k", String.class);
        Queue<String> queue = Queue.of(base + "/q", String.class);
        try (Daak alice = alice(transport);
                Daak bob = bob(transport)) {
            StepVerifier.create(alice.put(publicKey, "kept")).expectNextCount(1).verifyComplete();

            denied(bob.publish(topic, "forged"), "publish topic '" + topic.name() + "'");
            denied(bob.publication(topic).publish("forged"), "publish topic '" + topic.name() + "'");
            StepVerifier.create(bob.publishAll(topic, Flux.just("a", "b")))
                    .expectError(DeniedException.class)
                    .verify(WAIT);
            denied(bob.put(key, "forged"), "write key '" + key.name() + "'");
            denied(bob.delete(publicKey), "write key '" + publicKey.name() + "'");
            denied(bob.get(key), "read key '" + key.name() + "'");
            denied(bob.send(queue, "forged"), "send queue '" + queue.name() + "'");

            // Nothing changed: the topic's first message is alice's, the key is absent, the public key kept,
            // the queue holds only alice's message.
            StepVerifier.create(alice.publish(topic, "real"))
                    .assertNext(r -> assertThat(r.sequence()).isEqualTo(1))
                    .verifyComplete();
            StepVerifier.create(alice.subscribe(
                                    topic.selector(),
                                    SubscribeOptions.defaults().start(Start.earliest()))
                            .map(Message::value)
                            .take(Duration.ofMillis(300)))
                    .expectNext("real")
                    .verifyComplete();
            StepVerifier.create(alice.get(key)).verifyComplete();
            StepVerifier.create(alice.get(publicKey)).expectNext("kept").verifyComplete();
            StepVerifier.create(alice.send(queue, "real")
                            .then(alice.recv(queue)
                                    .doOnNext(d -> d.ack())
                                    .next()
                                    .map(d -> d.message().value())))
                    .expectNext("real")
                    .verifyComplete();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void shouldDenyServeRequestAndRecv(String transport) {
        String name = unique("alice");
        Service<String, String> service = Service.of(name + "/svc", String.class, String.class);
        AtomicInteger handled = new AtomicInteger();
        try (Daak alice = alice(transport);
                Daak bob = bob(transport)) {
            denied(bob.serve(service, ServiceHandler.requestReply(q -> Mono.just("bob's"))), "serve service");
            StepVerifier.create(alice.request(service, "q"))
                    .expectError(NoRespondersException.class)
                    .verify(WAIT);
            var registration = alice.serve(service, ServiceHandler.requestReply(q -> {
                        handled.incrementAndGet();
                        return Mono.just("alice's");
                    }))
                    .block(WAIT);
            try {
                denied(bob.request(service, "q"), "request service '" + service.name() + "'");
                StepVerifier.create(bob.requestStream(service, "q"))
                        .expectError(DeniedException.class)
                        .verify(WAIT);
                StepVerifier.create(bob.channel(service, Flux.just("a", "b", "c")))
                        .expectError(DeniedException.class)
                        .verify(WAIT);
                StepVerifier.create(bob.recv(Queue.of(name + "/q", String.class)))
                        .expectError(DeniedException.class)
                        .verify(WAIT);
                StepVerifier.create(alice.request(service, "q"))
                        .expectNext("alice's")
                        .verifyComplete();
                assertThat(handled).hasValue(1);
            } finally {
                registration.dispose();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void shouldDeliverOnlyAllowedTopicsToAWideSelector(String transport) {
        String base = unique("wide");
        try (Daak alice = alice(transport);
                Daak bob = bob(transport)) {
            for (String t : new String[] {"secret/a", "public/b", "secret/c", "public/d/e"}) {
                alice.publish(Topic.of(base + "/" + t, String.class), t).block(WAIT);
            }
            StepVerifier.create(bob.subscribe(
                                    Selector.of(base + "/**", String.class),
                                    SubscribeOptions.defaults().start(Start.earliest()))
                            .map(Message::topic)
                            .take(Duration.ofMillis(500)))
                    .expectNext(base + "/public/b", base + "/public/d/e")
                    .verifyComplete();
            // A selector that can select nothing allowed is refused outright. (base/secret/** is not: it
            // selects base/secret/public, which **/public/** allows; such a subscription is filtered.)
            for (String refused : new String[] {base + "/secret/a", "secret/a/b"}) {
                StepVerifier.create(bob.subscribe(Selector.of(refused, String.class)))
                        .expectErrorSatisfies(e -> assertThat(e)
                                .isInstanceOf(DeniedException.class)
                                .hasMessageContaining("may not subscribe topic '" + refused + "'"))
                        .verify(WAIT);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void shouldWatchOnlyAllowedKeys(String transport) {
        String base = unique("watch");
        try (Daak alice = alice(transport);
                Daak bob = bob(transport)) {
            alice.put(Key.of(base + "/secret/a", String.class), "a").block(WAIT);
            alice.put(Key.of(base + "/public/b", String.class), "b").block(WAIT);
            alice.put(Key.of(base + "/secret/c", String.class), "c").block(WAIT);
            StepVerifier.create(bob.watch(
                                    Selector.of(base + "/**", String.class),
                                    SubscribeOptions.defaults().start(Start.latest()))
                            .map(Change::key)
                            .take(Duration.ofMillis(500)))
                    .expectNext(base + "/public/b")
                    .verifyComplete();
        }
    }
}
