package io.daak.core;

/** A request was made to a service that no one serves at the moment. */
public final class NoRespondersException extends DaakException {

    private static final long serialVersionUID = 1L;

    /**
     * A no-responders error.
     *
     * @param service the service name
     */
    public NoRespondersException(String service) {
        super("no responders for service '" + service + "': nothing serves it right now; start a server with serve("
                + service + ", handler) or check the service name");
    }
}
