package io.daak.core;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a subscription starts: only new messages (push), or a retained position from which it pulls
 * stored messages at its own demand before it continues with new ones.
 *
 * <p>Immutable and thread-safe.
 */
public final class Start {

    /** The kinds of start positions. */
    public enum Kind {
        /** Only messages published after the subscription. */
        NEW,
        /** The latest retained message of each matching topic, then new ones (a retained value). */
        LATEST,
        /** Every retained message. */
        EARLIEST,
        /** Retained messages from a sequence number on (per topic). */
        SEQUENCE,
        /** Retained messages published at or after a time. */
        TIME
    }

    private static final Start NEW = new Start(Kind.NEW, 0, null);
    private static final Start LATEST = new Start(Kind.LATEST, 0, null);
    private static final Start EARLIEST = new Start(Kind.EARLIEST, 0, null);

    private final Kind kind;
    private final long sequence;
    private final @Nullable Instant time;

    private Start(Kind kind, long sequence, @Nullable Instant time) {
        this.kind = kind;
        this.sequence = sequence;
        this.time = time;
    }

    /**
     * Only new messages; the default.
     *
     * @return the position
     */
    public static Start newMessages() {
        return NEW;
    }

    /**
     * The latest retained message of each matching topic, then new ones.
     *
     * @return the position
     */
    public static Start latest() {
        return LATEST;
    }

    /**
     * Every retained message, then new ones.
     *
     * @return the position
     */
    public static Start earliest() {
        return EARLIEST;
    }

    /**
     * Retained messages with a sequence number of at least {@code sequence} in each matching topic.
     *
     * @param sequence at least 1
     * @return the position
     */
    public static Start atSequence(long sequence) {
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence=" + sequence + " must be at least 1");
        }
        return new Start(Kind.SEQUENCE, sequence, null);
    }

    /**
     * Retained messages published at or after {@code time}.
     *
     * @param time the earliest timestamp
     * @return the position
     */
    public static Start atTime(Instant time) {
        return new Start(Kind.TIME, 0, Objects.requireNonNull(time, "time"));
    }

    /**
     * The kind.
     *
     * @return the kind of position
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The sequence number for {@link Kind#SEQUENCE}.
     *
     * @return the sequence, 0 for other kinds
     */
    public long sequence() {
        return sequence;
    }

    /**
     * The time for {@link Kind#TIME}.
     *
     * @return the time, null for other kinds
     */
    public @Nullable Instant time() {
        return time;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SEQUENCE -> "SEQUENCE(" + sequence + ")";
            case TIME -> "TIME(" + time + ")";
            default -> kind.name();
        };
    }
}
