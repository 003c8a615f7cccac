package io.daak.tracing;

import io.daak.core.DaakException;

/**
 * A recording that is not a well-formed MCAP file: truncated (e.g. the recorder was killed) or
 * corrupt. {@link #offset()} says where; everything before it was read.
 */
public final class McapFormatException extends DaakException {

    private final long offset;

    /**
     * An error at a file offset.
     *
     * @param message what is wrong, with the file and the offset
     * @param offset the byte offset where the problem starts
     */
    public McapFormatException(String message, long offset) {
        super(message);
        this.offset = offset;
    }

    /**
     * Where the problem starts: the intact part of the file is before it.
     *
     * @return the byte offset
     */
    public long offset() {
        return offset;
    }
}
