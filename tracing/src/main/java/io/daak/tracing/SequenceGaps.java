package io.daak.tracing;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Counts what one subscription missed: the gaps in each topic's sequence numbers (messages dropped for
 * it or expired). The first message of a topic starts its count.
 *
 * <p>Not thread-safe: one per subscription, called from its {@code onNext}.
 */
final class SequenceGaps {

    private final Map<String, long[]> last = new HashMap<>();
    /** The topic of the previous call and its entry: most subscriptions see one topic, no lookup needed. */
    private @Nullable String lastTopic;

    private long @Nullable [] lastEntry;

    /** Notes a delivered message; returns how many of the topic's messages before it were missed. */
    long missedBefore(String topic, long sequence) {
        long[] previous = lastEntry;
        if (previous == null || !topic.equals(lastTopic)) {
            previous = last.computeIfAbsent(topic, t -> new long[] {sequence - 1});
            lastTopic = topic;
            lastEntry = previous;
        }
        long gap = sequence - previous[0] - 1;
        previous[0] = Math.max(previous[0], sequence);
        return Math.max(gap, 0);
    }
}
