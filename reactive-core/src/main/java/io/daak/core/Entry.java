package io.daak.core;

import java.time.Instant;

/**
 * The current value of a key with its revision.
 *
 * @param key the key name
 * @param value the value
 * @param revision the store-wide revision of the last change to this key; it grows with every change
 * @param timestamp when the value was put
 * @param <T> the value type
 */
public record Entry<T>(String key, T value, long revision, Instant timestamp) {}
