package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.Registration;
import io.daak.core.Selector;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.daak.core.Topic;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** One node bridges a shared-memory client and a TCP client on the same topics and services. */
@ExtendWith(NoLeaks.class)
class MixedNodeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static DaakNode node;
    private static Daak shm;
    private static Daak tcp;

    @BeforeAll
    static void start() {
        node = NodeFixture.start();
        shm = Daak.connect(node.shmUri().toString());
        tcp = Daak.connect(node.tcpUri().toString());
    }

    @AfterAll
    static void stop() {
        shm.close();
        tcp.close();
        node.close();
    }

    /** Publishes probes until the other client's subscription is registered at the node. */
    private static void awaitSubscriber(Daak publisher, Topic<String> topic) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (publisher.publish(topic, "probe").block(WAIT).matched() == 0) {
            assertThat(System.nanoTime()).as("subscriber registered in time").isLessThan(deadline);
        }
    }

    @Test
    void shouldDeliverFromTcpToShmAndBack() {
        Topic<String> topic = Topic.of("mixed/a", String.class);
        StepVerifier toShm = shm.subscribe(Selector.of("mixed/*", String.class))
                .map(Message::value)
                .filter(v -> !v.equals("probe"))
                .take(2)
                .as(StepVerifier::create)
                .expectNext("from-tcp-1", "from-tcp-2")
                .expectComplete()
                .verifyLater();
        awaitSubscriber(tcp, topic);
        tcp.publish(topic, "from-tcp-1").then(tcp.publish(topic, "from-tcp-2")).block(WAIT);
        toShm.verify(WAIT);

        Topic<String> back = Topic.of("mixed/b", String.class);
        StepVerifier toTcp = tcp.subscribe(back)
                .map(Message::value)
                .filter(v -> !v.equals("probe"))
                .take(1)
                .as(StepVerifier::create)
                .expectNext("from-shm")
                .expectComplete()
                .verifyLater();
        awaitSubscriber(shm, back);
        shm.publish(back, "from-shm").block(WAIT);
        toTcp.verify(WAIT);
    }

    @Test
    void shouldCallAServiceServedOverShmFromTcp() {
        Service<String, String> upper = Service.of("mixed-upper", String.class, String.class);
        Registration r = shm.serve(upper, ServiceHandler.requestReply(q -> Mono.just(q.toUpperCase())))
                .block(WAIT);
        try {
            StepVerifier.create(tcp.request(upper, "hello"))
                    .expectNext("HELLO")
                    .expectComplete()
                    .verify(WAIT);
        } finally {
            r.dispose();
        }
    }
}
