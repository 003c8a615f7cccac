package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The cached clock option: millisecond-resolution timestamps that stay close to the wall clock. */
class CachedClockTest {

    @Test
    void shouldStampMessagesWithinAFewMillisecondsOfTheWallClock() {
        try (Daak daak = Daak.local(LocalOptions.defaults().cachedClock(true))) {
            Topic<String> t = Topic.of("cached", String.class);
            Instant before = Instant.now().minusMillis(50);
            StepVerifier v = daak.subscribe(t)
                    .take(1)
                    .as(StepVerifier::create)
                    .assertNext(m -> assertThat(m.timestamp())
                            .isBetween(before, Instant.now().plusMillis(50)))
                    .expectComplete()
                    .verifyLater();
            daak.publish(t, "x").block(Duration.ofSeconds(5));
            v.verify(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldKeepTimestampsFromGoingBackwards() {
        long previous = 0;
        for (int i = 0; i < 100_000; i++) {
            long now = CachedClock.nanos();
            assertThat(now).isGreaterThanOrEqualTo(previous);
            previous = now;
        }
    }
}
