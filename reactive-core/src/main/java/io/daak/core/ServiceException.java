package io.daak.core;

import org.jspecify.annotations.Nullable;

/** A service handler failed while handling a request; the message carries the handler's message. */
public final class ServiceException extends DaakException {

    private static final long serialVersionUID = 1L;

    /**
     * A handler failure.
     *
     * @param service the service name
     * @param message the handler's error message
     * @param cause the handler's error when it is available (in process)
     */
    public ServiceException(String service, String message, @Nullable Throwable cause) {
        super("service '" + service + "' failed: " + message, cause);
    }
}
