package io.daak.core;

import org.jspecify.annotations.Nullable;

/**
 * The base of the errors Daak signals. The message says what went wrong, where (topic, key, queue,
 * service or peer) and what to do.
 */
public class DaakException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * An error with a message.
     *
     * @param message what went wrong, where and what to do
     */
    public DaakException(String message) {
        super(message);
    }

    /**
     * An error with a message and a cause.
     *
     * @param message what went wrong, where and what to do
     * @param cause the underlying error
     */
    public DaakException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
