package io.daak.shm;

/**
 * Signalled to the streams of an shm connection whose peer went away: killed, crashed, or closed
 * while a stream still expected messages. The message names the peer's pid and socket path.
 */
public final class ShmPeerLostException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was lost and why
     */
    public ShmPeerLostException(String message) {
        super(message);
    }
}
