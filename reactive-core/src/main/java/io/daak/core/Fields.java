package io.daak.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The optional fields every operation takes: headers, sender identity, timestamp, priority and
 * time-to-live. Start from {@link #none()} and add what you need; each method returns a new value.
 *
 * <pre>{@code
 * Fields f = Fields.none().header("unit", "celsius").sender("robot-7").ttl(Duration.ofSeconds(5));
 * daak.publish(temperature, 21.5, f);
 * }</pre>
 *
 * <p>What each field means per operation: the time-to-live expires a published or sent message
 * that has not been delivered in time (and times out a request); the priority orders a queue
 * (higher first); the timestamp defaults to the engine's clock.
 *
 * <p>Immutable and thread-safe.
 */
public final class Fields {

    private static final Fields NONE = new Fields(Map.of(), null, null, 0, null);

    private final Map<String, String> headers;
    private final @Nullable String sender;
    private final @Nullable Instant timestamp;
    private final int priority;
    private final @Nullable Duration ttl;

    private Fields(
            Map<String, String> headers,
            @Nullable String sender,
            @Nullable Instant timestamp,
            int priority,
            @Nullable Duration ttl) {
        this.headers = headers;
        this.sender = sender;
        this.timestamp = timestamp;
        this.priority = priority;
        this.ttl = ttl;
    }

    /**
     * No fields: no headers, no sender, the engine's clock, priority 0, no time-to-live.
     *
     * @return the empty fields
     */
    public static Fields none() {
        return NONE;
    }

    /**
     * Adds or replaces one header.
     *
     * @param name the header name, not blank
     * @param value the header value
     * @return new fields with the header
     */
    public Fields header(String name, String value) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("header name must not be null or blank");
        }
        Objects.requireNonNull(value, "header value");
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new Fields(Collections.unmodifiableMap(copy), sender, timestamp, priority, ttl);
    }

    /**
     * Adds or replaces several headers.
     *
     * @param more the headers to add
     * @return new fields with the headers
     */
    public Fields headers(Map<String, String> more) {
        Fields f = this;
        for (Map.Entry<String, String> e : more.entrySet()) {
            f = f.header(e.getKey(), e.getValue());
        }
        return f;
    }

    /**
     * Sets the sender identity.
     *
     * @param sender who sends, e.g. a service or device name
     * @return new fields with the sender
     */
    public Fields sender(String sender) {
        if (sender == null || sender.isBlank()) {
            throw new IllegalArgumentException("sender must not be null or blank");
        }
        return new Fields(headers, sender, timestamp, priority, ttl);
    }

    /**
     * Sets the timestamp instead of the engine's clock.
     *
     * @param timestamp when the message was made
     * @return new fields with the timestamp
     */
    public Fields timestamp(Instant timestamp) {
        return new Fields(headers, sender, Objects.requireNonNull(timestamp, "timestamp"), priority, ttl);
    }

    /**
     * Sets the priority; queues deliver higher priorities first.
     *
     * @param priority any int, 0 by default
     * @return new fields with the priority
     */
    public Fields priority(int priority) {
        return new Fields(headers, sender, timestamp, priority, ttl);
    }

    /**
     * Sets the time-to-live: a message not delivered within it is dropped (and counted), a request not
     * answered within it fails with a {@link java.util.concurrent.TimeoutException}.
     *
     * @param ttl a positive duration
     * @return new fields with the time-to-live
     */
    public Fields ttl(Duration ttl) {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl=" + ttl + " must be a positive duration");
        }
        return new Fields(headers, sender, timestamp, priority, ttl);
    }

    /**
     * The headers.
     *
     * @return an unmodifiable map, empty when none
     */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * The sender identity.
     *
     * @return the sender, or null when not set
     */
    public @Nullable String sender() {
        return sender;
    }

    /**
     * The timestamp.
     *
     * @return the timestamp, or null to use the engine's clock
     */
    public @Nullable Instant timestamp() {
        return timestamp;
    }

    /**
     * The priority.
     *
     * @return the priority, 0 by default
     */
    public int priority() {
        return priority;
    }

    /**
     * The time-to-live.
     *
     * @return the time-to-live, or null for none
     */
    public @Nullable Duration ttl() {
        return ttl;
    }

    @Override
    public String toString() {
        return "Fields[headers=" + headers + ", sender=" + sender + ", timestamp=" + timestamp + ", priority="
                + priority + ", ttl=" + ttl + "]";
    }
}
