package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.DaakException;
import io.daak.core.Message;
import io.daak.core.Topic;
import io.daak.rsocket.auth.Access;
import io.daak.rsocket.auth.NodeSecurity;
import io.daak.rsocket.auth.PasswordHash;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.test.StepVerifier;

/** TLS on TCP ({@code tls://}) and WebSocket ({@code wss://}) with a certificate the test makes. */
@ExtendWith(NoLeaks.class)
class TlsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AtomicLong NAMES = new AtomicLong();

    @TempDir
    static Path dir;

    private static TestCertificates certs;
    private static DaakNode node;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.generate(dir);
        node = DaakNode.builder()
                .host("127.0.0.1")
                .tcpPort(0)
                .webSocketPort(0)
                .tls(certs.certificate(), certs.privateKey())
                .security(NodeSecurity.builder()
                        .user("alice", PasswordHash.hash("pw".toCharArray(), 1000), Access.all())
                        .build())
                .start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static URI uri(String transport) {
        return transport.equals("tls") ? node.tcpUri() : node.webSocketUri();
    }

    private static String withUser(URI u) {
        return u.getScheme() + "://alice:pw@" + u.getAuthority() + u.getPath();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "wss"})
    void shouldRoundTripOverTls(String transport) {
        assertThat(uri(transport).getScheme()).isEqualTo(transport);
        Topic<String> topic = Topic.of("tls/t" + NAMES.incrementAndGet(), String.class);
        try (Daak daak = ConnectOptions.defaults().trust(certs.certificate()).connect(withUser(uri(transport)))) {
            StepVerifier v = daak.subscribe(topic)
                    .map(Message::value)
                    .take(1)
                    .as(StepVerifier::create)
                    .expectNext("secret")
                    .expectComplete()
                    .verifyLater();
            // Same connection: the subscription reaches the node before the publish.
            StepVerifier.create(daak.publish(topic, "secret"))
                    .expectNextCount(1)
                    .verifyComplete();
            v.verify(WAIT);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "wss"})
    void shouldTrustTheSystemPropertyFile(String transport) {
        String before = System.getProperty("daak.tls.trust");
        System.setProperty("daak.tls.trust", certs.certificate().toString());
        try (Daak daak = Daak.connect(withUser(uri(transport)))) {
            StepVerifier.create(daak.put(io.daak.core.Key.of("tls/k", String.class), "v"))
                    .expectNextCount(1)
                    .verifyComplete();
        } finally {
            if (before == null) {
                System.clearProperty("daak.tls.trust");
            } else {
                System.setProperty("daak.tls.trust", before);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "wss"})
    void shouldRefuseAnUntrustedCertificate(String transport) {
        try (Daak daak = Daak.connect(withUser(uri(transport)))) {
            StepVerifier.create(daak.publish(Topic.of("tls/x", String.class), "x"))
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(DaakException.class)
                            .hasMessageContaining(
                                    "cannot connect to " + uri(transport).getScheme() + "://alice:***@")
                            .hasMessageContaining("TLS handshake failed"))
                    .verify(WAIT);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "wss"})
    void shouldRefuseAPlainClientClearly(String transport) {
        URI u = uri(transport);
        String plain = (transport.equals("tls") ? "tcp" : "ws") + "://alice:pw@" + u.getAuthority() + u.getPath();
        try (Daak daak = Daak.connect(plain)) {
            StepVerifier.create(daak.publish(Topic.of("tls/x", String.class), "x"))
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(DaakException.class)
                            .hasMessageContaining(
                                    "if the node serves TLS (it then closes plain connections), connect with "
                                            + (transport.equals("tls") ? "tls://" : "wss://")))
                    .verify(WAIT);
        }
    }
}
