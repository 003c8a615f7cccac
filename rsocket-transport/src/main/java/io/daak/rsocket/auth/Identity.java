package io.daak.rsocket.auth;

import java.util.Objects;

/**
 * Who a connection authenticated as, and what it may do. Immutable and thread-safe.
 *
 * @param name the identity's name; the node stamps it as the {@code sender} of what the connection does
 * @param access its access rules
 */
public record Identity(String name, Access access) {

    /** The identity of connections without credentials when the configuration allows them. */
    public static final String ANONYMOUS = "anonymous";

    /**
     * Checks the components.
     *
     * @param name the name
     * @param access the rules
     */
    public Identity {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(access, "access");
        if (name.isBlank()) {
            throw new IllegalArgumentException("an identity's name must not be blank");
        }
    }
}
