package io.daak.tracing;

import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.Overflow;
import io.daak.core.Selector;
import io.daak.core.SubscribeOptions;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;

/**
 * A live tap: sees the traffic on the topics a selector matches without changing delivery to anyone
 * else. It is an ordinary subscription that never holds publishers back: it keeps at most
 * {@code capacity} messages waiting and, when its reader falls behind, drops the oldest and counts them
 * (per topic, from the gaps in the sequence numbers, which also counts what the node dropped on the way).
 *
 * <pre>{@code
 * Tap<RawValue> tap = Tap.on(daak, Selector.of("sensors/**", RawValue.class)).capacity(256);
 * tap.messages().subscribe(m -> System.out.println(m.topic() + " " + m.value().bytes().length));
 * Flux.interval(Duration.ofSeconds(1)).subscribe(i -> System.out.println(tap.stats()));
 * }</pre>
 *
 * <p>Over a remote client, {@code RawValue.class} taps every format without decoding; in process,
 * {@code Object.class} taps values of every type. Thread-safe; each subscription of {@link #messages()}
 * is one tap, and all of them add to the same statistics.
 *
 * @param <T> the value type
 */
public final class Tap<T> {

    private final Daak daak;
    private final Selector<T> selector;
    private final int capacity;
    private final Map<String, Counts> counts = new ConcurrentHashMap<>();

    /** Messages seen and dropped on one topic. */
    private static final class Counts {
        final AtomicLong seen = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
    }

    /**
     * A topic's totals.
     *
     * @param messages messages the tap delivered
     * @param dropped messages it missed (dropped because it fell behind, or expired)
     */
    public record TopicStats(long messages, long dropped) {}

    private Tap(Daak daak, Selector<T> selector, int capacity) {
        this.daak = daak;
        this.selector = selector;
        this.capacity = capacity;
    }

    /**
     * A tap with room for 1024 waiting messages.
     *
     * @param daak the handle to tap through
     * @param selector the topics, and the type to receive values as
     * @param <T> the value type
     * @return the tap (nothing is subscribed until {@link #messages()} is)
     */
    public static <T> Tap<T> on(Daak daak, Selector<T> selector) {
        return new Tap<>(
                Objects.requireNonNull(daak, "daak"),
                Objects.requireNonNull(selector, "selector"),
                Overflow.DEFAULT_CAPACITY);
    }

    /**
     * This tap with another bound on waiting messages.
     *
     * @param capacity at least 1
     * @return a new tap
     */
    public Tap<T> capacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity=" + capacity + " must be at least 1");
        }
        return new Tap<>(daak, selector, capacity);
    }

    /**
     * The live messages, from now on, until cancelled.
     *
     * @return the messages; a slow reader loses the oldest, counted in {@link #stats()}
     */
    public Flux<Message<T>> messages() {
        SubscribeOptions options = SubscribeOptions.defaults().overflow(Overflow.dropOldest(capacity));
        return Flux.defer(() -> {
            SequenceGaps gaps = new SequenceGaps();
            return daak.subscribe(selector, options).doOnNext(m -> {
                Counts c = counts.computeIfAbsent(m.topic(), t -> new Counts());
                c.seen.incrementAndGet();
                c.dropped.addAndGet(gaps.missedBefore(m.topic(), m.sequence()));
            });
        });
    }

    /**
     * The totals per topic so far, sorted by topic.
     *
     * @return a snapshot
     */
    public Map<String, TopicStats> stats() {
        Map<String, TopicStats> out = new TreeMap<>();
        counts.forEach((t, c) -> out.put(t, new TopicStats(c.seen.get(), c.dropped.get())));
        return out;
    }

    /**
     * Messages missed on all topics.
     *
     * @return the total dropped
     */
    public long dropped() {
        long sum = 0;
        for (Counts c : counts.values()) {
            sum += c.dropped.get();
        }
        return sum;
    }
}
