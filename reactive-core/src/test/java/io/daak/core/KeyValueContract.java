package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Key/value: put, get, delete, revisions and watches. */
public interface KeyValueContract extends ContractSupport {

    Duration WAIT = Duration.ofSeconds(10);

    @Test
    default void shouldPutGetAndDelete() {
        Key<String> key = Key.of(unique("kv"), String.class);
        StepVerifier.create(daak().get(key)).expectComplete().verify(WAIT);
        long r1 = daak().put(key, "one").block(WAIT);
        StepVerifier.create(daak().get(key)).expectNext("one").expectComplete().verify(WAIT);
        long r2 = daak().put(key, "two").block(WAIT);
        assertThat(r2).isGreaterThan(r1);
        StepVerifier.create(daak().entry(key))
                .assertNext(e -> {
                    assertThat(e.key()).isEqualTo(key.name());
                    assertThat(e.value()).isEqualTo("two");
                    assertThat(e.revision()).isEqualTo(r2);
                })
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(daak().delete(key))
                .expectNext(true)
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(daak().delete(key))
                .expectNext(false)
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(daak().get(key)).expectComplete().verify(WAIT);
    }

    @Test
    default void shouldWatchChangesOfMatchingKeysInRevisionOrder() {
        String base = unique("watch");
        Key<Integer> a = Key.of(base + "/a", Integer.class);
        Key<Integer> b = Key.of(base + "/b", Integer.class);
        Key<Integer> other = Key.of(unique("elsewhere"), Integer.class);
        StepVerifier v = daak().watch(Selector.of(base + "/*", Integer.class))
                .take(3)
                .as(StepVerifier::create)
                .assertNext(c -> {
                    assertThat(c.key()).isEqualTo(a.name());
                    assertThat(c.kind()).isEqualTo(Change.Kind.PUT);
                    assertThat(c.value()).isEqualTo(1);
                })
                .assertNext(c -> assertThat(c.value()).isEqualTo(2))
                .assertNext(c -> {
                    assertThat(c.key()).isEqualTo(a.name());
                    assertThat(c.kind()).isEqualTo(Change.Kind.DELETE);
                    assertThat(c.value()).isNull();
                })
                .expectComplete()
                .verifyLater();
        daak().put(a, 1).block(WAIT);
        daak().put(other, 99).block(WAIT);
        daak().put(b, 2).block(WAIT);
        daak().delete(a).block(WAIT);
        v.verify(WAIT);
    }

    @Test
    default void shouldStartAWatchWithTheCurrentValues() {
        String base = unique("snapshot");
        Key<String> a = Key.of(base + "/a", String.class);
        Key<String> b = Key.of(base + "/b", String.class);
        daak().put(a, "x").block(WAIT);
        daak().put(b, "y").block(WAIT);
        StepVerifier.create(daak().watch(
                                Selector.of(base + "/**", String.class),
                                SubscribeOptions.defaults().start(Start.latest()))
                        .map(c -> c.key() + "=" + c.value()))
                .expectNext(a.name() + "=x", b.name() + "=y")
                .then(() -> daak().put(a, "z").block(WAIT))
                .expectNext(a.name() + "=z")
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    default void shouldFailAReadWithTheWrongType() {
        String name = unique("typed");
        daak().put(Key.of(name, String.class), "text").block(WAIT);
        StepVerifier.create(daak().get(Key.of(name, Integer.class)))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(DaakException.class)
                        .hasMessageContaining(name)
                        .hasMessageContaining("java.lang.String"))
                .verify(WAIT);
    }

    @Test
    default void shouldGiveEveryChangeAHigherRevision() {
        Key<Integer> key = Key.of(unique("revs"), Integer.class);
        long last = 0;
        for (int i = 0; i < 20; i++) {
            long rev = daak().put(key, i).block(WAIT);
            assertThat(rev).isGreaterThan(last);
            last = rev;
        }
    }
}
