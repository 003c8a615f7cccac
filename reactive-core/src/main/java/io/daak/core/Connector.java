package io.daak.core;

import java.net.URI;
import java.util.Set;

/**
 * Makes {@link Daak} handles for URI schemes; found through {@link java.util.ServiceLoader} by
 * {@link Daak#connect(String)}. A transport module registers its connector in
 * {@code META-INF/services/io.daak.core.Connector}.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #schemes()} MUST be constant and lower case.
 *   <li>{@link #connect(URI)} MUST NOT block on the network; a remote handle connects lazily or in
 *       the background and its operations wait for the connection.
 *   <li>A URI the connector cannot use MUST give an {@link IllegalArgumentException} naming the URI
 *       and the form it expects.
 * </ul>
 */
public interface Connector {

    /**
     * The URI schemes handled, e.g. {@code tcp} and {@code ws}.
     *
     * @return the schemes
     */
    Set<String> schemes();

    /**
     * Makes a handle for the URI.
     *
     * @param uri a URI with one of {@link #schemes()}
     * @return the handle
     */
    Daak connect(URI uri);
}
