package io.daak.core;

import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link Connector} for {@code local://name}: in-process engines shared by name within this JVM.
 * The engine of a name lives until one of its handles is closed; the next connect makes a new one.
 *
 * <p>Thread-safe.
 */
public final class LocalConnector implements Connector {

    private static final ConcurrentHashMap<String, LocalDaak> ENGINES = new ConcurrentHashMap<>();

    /** Made by {@link java.util.ServiceLoader}. */
    public LocalConnector() {}

    @Override
    public Set<String> schemes() {
        return Set.of("local");
    }

    @Override
    public Daak connect(URI uri) {
        String name = uri.getAuthority() != null ? uri.getAuthority() : uri.getSchemeSpecificPart();
        if (uri.getPath() != null && !uri.getPath().isEmpty() && uri.getAuthority() != null) {
            throw new IllegalArgumentException("uri='" + uri + "' has a path; write local://name, e.g. local://bus");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(
                    "uri='" + uri + "' names no engine; write local://name, e.g. local://bus");
        }
        for (; ; ) {
            LocalDaak engine = ENGINES.computeIfAbsent(name, n -> {
                LocalDaak d = new LocalDaak(LocalOptions.defaults(), "local://" + n);
                d.onClose(() -> ENGINES.remove(n, d));
                return d;
            });
            if (!engine.isDisposed()) {
                return engine;
            }
            ENGINES.remove(name, engine); // closing, its hook has not run yet: make the next one now
        }
    }
}
