package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.Overflow;
import io.daak.core.PublishResult;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/** A flood past a subscriber that stopped requesting, with a healthy subscriber beside it, through a node. */
@ExtendWith(NoLeaks.class)
class FloodTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final io.daak.core.Selector<byte[]> ALL = io.daak.core.Selector.of("flood/**", byte[].class);

    @org.junit.jupiter.api.extension.RegisterExtension
    static final NodeFixture.PerClass NODE = new NodeFixture.PerClass();

    @Test
    void aStalledSubscriberCostsTheNodeAtMostItsBufferAndOthersGetEverything() throws Exception {
        int count = 20_000;
        int capacity = 100;
        byte[] kilobyte = new byte[1024];
        Topic<byte[]> topic = Topic.of("flood/a", byte[].class);
        try (Daak stalledClient = Daak.connect(NODE.get().tcpUri().toString());
                Daak healthyClient = Daak.connect(NODE.get().webSocketUri().toString());
                Daak publisher = Daak.connect(NODE.get().tcpUri().toString())) {

            // Subscribed (the node confirms), then asks for nothing.
            java.util.Queue<Long> stalledSeen = new java.util.concurrent.ConcurrentLinkedQueue<>();
            CountDownLatch stalledDone = new CountDownLatch(1);
            CountDownLatch bufferSeen = new CountDownLatch(capacity);
            long end = count + 1L;
            BaseSubscriber<Message<byte[]>> stalled = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription s) {}

                @Override
                protected void hookOnNext(Message<byte[]> m) {
                    stalledSeen.add(m.sequence());
                    bufferSeen.countDown();
                    if (m.sequence() == end) {
                        stalledDone.countDown();
                    }
                }
            };
            stalledClient
                    .subscribe(ALL, SubscribeOptions.defaults().overflow(Overflow.dropOldest(capacity)))
                    .filter(m -> m.topic().equals(topic.name()))
                    .subscribe(stalled);

            AtomicLong lastSeen = new AtomicLong();
            AtomicLong outOfOrder = new AtomicLong();
            CountDownLatch all = new CountDownLatch(count);
            CountDownLatch ready = new CountDownLatch(1);
            healthyClient
                    .subscribe(ALL, SubscribeOptions.defaults().overflow(Overflow.block(256)))
                    .doOnSubscribe(s -> ready.countDown())
                    .filter(m -> m.topic().equals(topic.name()))
                    .subscribe(m -> {
                        if (m.sequence() != lastSeen.get() + 1) {
                            outOfOrder.incrementAndGet();
                        }
                        lastSeen.set(m.sequence());
                        all.countDown();
                    });
            // Both subscriptions must be in place at the node before the flood: a probe message tells.
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            awaitMatched(publisher, 2);

            List<PublishResult> results = publisher
                    .publishAll(topic, Flux.range(0, count).map(i -> kilobyte))
                    .collectList()
                    .block(WAIT);

            assertThat(all.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("the healthy subscriber got all %d messages (missing %d)", count, all.getCount())
                    .isTrue();
            assertThat(outOfOrder.get()).isZero();
            assertThat(results).hasSize(count);
            long dropped = results.stream().mapToLong(PublishResult::dropped).sum();
            assertThat(dropped)
                    .as("everything past the stalled subscriber's buffer was dropped at the node, not held")
                    .isGreaterThanOrEqualTo((long) count - capacity);

            // What the node held for the stalled subscriber: its buffer of the newest messages, no more.
            stalled.request(Long.MAX_VALUE);
            // The request travels on the stalled client's connection, the marker on the publisher's: wait
            // for the buffer to arrive so that the marker cannot reach the node first and push one out.
            assertThat(bufferSeen.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            publisher.publish(topic, kilobyte).block(WAIT); // one more, sequence count + 1, marks the end
            assertThat(stalledDone.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            List<Long> got = stalledSeen.stream().toList();
            assertThat(got).hasSize(capacity + 1);
            assertThat(got.get(0)).as("oldest kept").isEqualTo(count + 1L - capacity);
            assertThat(got.get(capacity)).as("the marker").isEqualTo(count + 1L);
            stalled.dispose();
        }
    }

    /** Publishes probes (to another topic under the same selector) until the subscriptions are registered. */
    private static void awaitMatched(Daak daak, int subscribers) {
        Topic<byte[]> probe = Topic.of("flood/probe", byte[].class);
        PublishResult r = Flux.defer(() -> daak.publish(probe, new byte[1]))
                .repeat()
                .filter(p -> p.matched() == subscribers)
                .blockFirst(WAIT);
        assertThat(r).isNotNull();
    }
}
