package io.daak.core;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a remote handle's connection, seen through {@link Daak#connectionEvents()}.
 * The handle deals with each by itself (it resumes, reconnects and re-establishes subscriptions and
 * served services); the event tells the application that it happened and whether a gap is possible.
 *
 * @param kind what happened
 * @param uri where the handle connects (without credentials)
 * @param at when it happened
 * @param cause why the connection was lost ({@link Kind#DISCONNECTED}), else null
 * @param downtime for {@link Kind#RESUMED} and {@link Kind#RECONNECTED}: how long the handle was without
 *     a connection; else zero
 * @param closedByPeer for {@link Kind#DISCONNECTED}: the other side closed the connection on purpose (a
 *     node shutting down says so) rather than the connection being lost; the handle still reconnects
 *     once it is back
 */
public record ConnectionEvent(
        Kind kind, URI uri, Instant at, @Nullable Throwable cause, Duration downtime, boolean closedByPeer) {

    /** What happened to the connection. */
    public enum Kind {
        /** The handle's first connection is up. */
        CONNECTED,
        /**
         * The connection was lost; the handle is resuming the session or will reconnect. Calls made now
         * wait for the connection (publications queue, bounded) or fail with a clear error.
         */
        DISCONNECTED,
        /** The lost connection's session was resumed: nothing sent either way was lost. */
        RESUMED,
        /**
         * A new session replaced a lost one: subscriptions, watches and served services were
         * re-established, and messages published while the handle was away may have been missed (a gap).
         */
        RECONNECTED
    }

    /**
     * Checks the components.
     *
     * @param kind what happened
     * @param uri where the handle connects
     * @param at when it happened
     * @param cause why, or null
     * @param downtime how long the handle was without a connection
     * @param closedByPeer whether the other side closed the connection on purpose
     */
    public ConnectionEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(downtime, "downtime");
    }

    /**
     * Whether messages may have been missed across this event: true for {@link Kind#RECONNECTED}.
     *
     * @return whether subscribers may have a gap
     */
    public boolean gap() {
        return kind == Kind.RECONNECTED;
    }
}
