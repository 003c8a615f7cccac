package io.daak.core;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One change to a key, as {@link Daak#watch} reports it.
 *
 * @param key the key name
 * @param kind a put or a delete
 * @param value the new value; null for a delete
 * @param revision the store-wide revision of this change
 * @param timestamp when it happened
 * @param <T> the value type
 */
public record Change<T>(String key, Kind kind, @Nullable T value, long revision, Instant timestamp) {

    /** The kinds of change. */
    public enum Kind {
        /** The key was given a value. */
        PUT,
        /** The key was deleted. */
        DELETE
    }
}
