package io.daak.core;

import reactor.core.Disposable;

/**
 * A service being served. {@link #dispose()} stops serving: new requests go to other servers (or fail
 * with no responders); requests in flight finish.
 */
public interface Registration extends Disposable {

    /**
     * The service name.
     *
     * @return the name of the served service
     */
    String service();
}
