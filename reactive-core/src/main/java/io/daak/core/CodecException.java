package io.daak.core;

import org.jspecify.annotations.Nullable;

/** A value could not be encoded, or bytes could not be decoded. */
public class CodecException extends DaakException {

    private static final long serialVersionUID = 1L;

    /**
     * A codec error.
     *
     * @param message what could not be encoded or decoded and why
     */
    public CodecException(String message) {
        super(message);
    }

    /**
     * A codec error with a cause.
     *
     * @param message what could not be encoded or decoded and why
     * @param cause the underlying error
     */
    public CodecException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
