package io.daak.tracing;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Maps names (topics, services) to tag values with bounded cardinality: a grouping function, then at
 * most {@code max} distinct values; later ones share {@link #OTHER}.
 *
 * <p>Thread-safe.
 */
final class TagLimiter {

    /** The tag value of names beyond the limit. */
    static final String OTHER = "other";

    /** Names remembered at most, so that unbounded names cost no unbounded memory. */
    private static final int CACHE = 10_000;

    private final Function<String, String> grouping;
    private final int max;
    private final Map<String, String> byName = new ConcurrentHashMap<>();
    private final Map<String, Boolean> values = new ConcurrentHashMap<>();

    TagLimiter(Function<String, String> grouping, int max) {
        this.grouping = Objects.requireNonNull(grouping, "grouping");
        if (max < 1) {
            throw new IllegalArgumentException("max=" + max + " must be at least 1");
        }
        this.max = max;
    }

    /** The first segment of a {@code /}-separated name: {@code sensors/a/b -> sensors}. */
    static String firstSegment(String name) {
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(0, slash);
    }

    String tag(String name) {
        String cached = byName.get(name);
        if (cached != null) {
            return cached;
        }
        String value = limit(String.valueOf(grouping.apply(name)));
        if (byName.size() < CACHE) {
            byName.put(name, value);
        }
        return value;
    }

    private String limit(String value) {
        if (values.containsKey(value)) {
            return value;
        }
        synchronized (values) {
            if (values.containsKey(value)) {
                return value;
            }
            if (values.size() >= max) {
                return OTHER;
            }
            values.put(value, Boolean.TRUE);
            return value;
        }
    }
}
