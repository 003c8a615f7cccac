package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.RepeatedTest;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Subscribers that start from the store while a publisher keeps publishing: the hand-over from
 * replayed to live messages must lose nothing and repeat nothing.
 */
class ReplayRaceTest {

    @RepeatedTest(10)
    void shouldSeeEverySequenceOnceAcrossTheHandOverFromReplayToLive() {
        Scheduler publisher = Schedulers.newSingle("publisher");
        AtomicBoolean running = new AtomicBoolean(true);
        try (Daak daak = Daak.local(LocalOptions.defaults().retention("race/**", Retention.count(1_000_000)))) {
            Topic<Integer> topic = Topic.of("race/replay", Integer.class);
            Publication<Integer> publication = daak.publication(topic);
            publisher.schedule(() -> {
                int i = 0;
                // No more than the retention holds: every round expects the store to start at sequence 1 (on a
                // busy machine the publisher, unblocked between rounds, once ran past 1,000,000 before round 11).
                while (running.get() && i < 1_000_000) {
                    if (publication.tryPublish(i)) {
                        i++;
                    }
                }
            });
            for (int round = 0; round < 20; round++) {
                List<Long> sequences = daak.subscribe(
                                topic.selector(),
                                SubscribeOptions.defaults()
                                        .start(Start.earliest())
                                        .overflow(Overflow.block(64)))
                        .map(Message::sequence)
                        .take(2_000 + round * 500L)
                        .collectList()
                        .block(Duration.ofSeconds(30));
                assertThat(sequences).isNotNull();
                for (int i = 0; i < sequences.size(); i++) {
                    assertThat(sequences.get(i))
                            .as("round %d, position %d", round, i)
                            .isEqualTo(i + 1L);
                }
            }
        } finally {
            running.set(false);
            publisher.dispose();
        }
    }

    @RepeatedTest(10)
    void shouldSeeEverySequenceOnceFromAGivenSequenceWhilePublishing() {
        Scheduler publisher = Schedulers.newSingle("publisher");
        try (Daak daak = Daak.local(LocalOptions.defaults().retention("race/**", Retention.count(1_000_000)))) {
            Topic<Integer> topic = Topic.of("race/from", Integer.class);
            daak.publishAll(topic, Flux.range(0, 1_000)).blockLast(Duration.ofSeconds(10));
            Flux.range(1_000, 50_000)
                    .concatMap(i -> daak.publish(topic, i))
                    .subscribeOn(publisher)
                    .subscribe();
            List<Long> sequences = daak.subscribe(
                            topic.selector(),
                            SubscribeOptions.defaults()
                                    .start(Start.atSequence(500))
                                    .overflow(Overflow.block(16)))
                    .map(Message::sequence)
                    .take(20_000)
                    .collectList()
                    .block(Duration.ofSeconds(30));
            assertThat(sequences).isNotNull().hasSize(20_000);
            for (int i = 0; i < sequences.size(); i++) {
                assertThat(sequences.get(i)).isEqualTo(500L + i);
            }
        } finally {
            publisher.dispose();
        }
    }
}
