package io.daak.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The key/value part of the in-process engine: the last value per key with store-wide revisions, and
 * watches that stream the changes.
 *
 * <p>Thread-safe: changes are serialised by one monitor so that revisions and the order watchers see
 * agree; reads do not lock.
 */
final class KeyValues {

    /** A stored value; {@code value} may be an {@link EncodedValue}. */
    record Stored(Object value, long revision, long timestampNanos) {}

    private final Engine engine;
    private final ConcurrentHashMap<String, Stored> entries = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final Object writes = new Object();
    private long revision; // guarded by writes

    /** One watch. */
    record Watcher(Selector<?> selector, Outbox<Change<?>> outbox) {}

    KeyValues(Engine engine) {
        this.engine = engine;
    }

    Mono<Long> put(String key, Object value, Fields fields) {
        return Mono.fromCallable(() -> change(key, value, fields));
    }

    Mono<Boolean> delete(String key) {
        return Mono.fromCallable(() -> change(key, null, Fields.none()) != 0);
    }

    /** Applies a put (value non-null) or delete; returns the revision, or 0 for a delete of nothing. */
    private long change(String key, @Nullable Object value, Fields fields) {
        if (engine.isClosed()) {
            throw engine.closedError();
        }
        List<Watcher> touched = new ArrayList<>();
        long rev;
        synchronized (writes) {
            long ts = fields.timestamp() != null ? Clock.toNanos(fields.timestamp()) : engine.now();
            if (value == null) {
                if (entries.remove(key) == null) {
                    return 0;
                }
                rev = ++revision;
            } else {
                rev = ++revision;
                entries.put(key, new Stored(value, rev, ts));
            }
            Change<Object> change = new Change<>(
                    key, value == null ? Change.Kind.DELETE : Change.Kind.PUT, value, rev, Clock.toInstant(ts));
            for (Watcher w : watchers) {
                if (w.selector().matches(key)) {
                    w.outbox().offer(change, true);
                    touched.add(w);
                }
            }
        }
        for (Watcher w : touched) {
            w.outbox().drain();
        }
        return rev;
    }

    <T> Mono<Entry<T>> entry(String key, Class<T> type) {
        return Mono.fromCallable(() -> {
            if (engine.isClosed()) {
                throw engine.closedError();
            }
            Stored s = entries.get(key);
            if (s == null) {
                return null;
            }
            T v = open(key, s.value(), type);
            return new Entry<>(key, v, s.revision(), Clock.toInstant(s.timestampNanos()));
        });
    }

    private static <T> T open(String key, Object stored, Class<T> type) {
        Class<?> actual = stored instanceof EncodedValue ev ? ev.type() : stored.getClass();
        if (!type.isAssignableFrom(actual)) {
            throw new DaakException("key '" + key + "' holds a " + actual.getName() + " but was read as "
                    + type.getName() + "; use a Key with the type it was put with");
        }
        return EncodedValue.open("key '" + key + "'", stored, type);
    }

    <T> Flux<Change<T>> watch(Selector<T> selector, SubscribeOptions options) {
        Flux<Change<?>> raw = new Flux<>() {
            @Override
            public void subscribe(CoreSubscriber<? super Change<?>> actual) {
                register(selector, options, actual);
            }
        };
        Class<T> type = selector.type();
        return raw.map(c -> {
            T v = c.value() == null ? null : open(c.key(), c.value(), type);
            return new Change<>(c.key(), c.kind(), v, c.revision(), c.timestamp());
        });
    }

    private void register(Selector<?> selector, SubscribeOptions options, CoreSubscriber<? super Change<?>> actual) {
        Outbox<Change<?>> outbox = new Outbox<>(actual, options.overflow(), selector.pattern());
        Watcher watcher = new Watcher(selector, outbox);
        outbox.onTerminate(() -> watchers.remove(watcher));
        outbox.pause();
        actual.onSubscribe(outbox);
        if (engine.isClosed()) {
            outbox.fail(engine.closedError());
            return;
        }
        synchronized (writes) {
            if (options.start().kind() == Start.Kind.LATEST) {
                TreeMap<String, Stored> snapshot = new TreeMap<>();
                for (Map.Entry<String, Stored> e : entries.entrySet()) {
                    if (selector.matches(e.getKey())) {
                        snapshot.put(e.getKey(), e.getValue());
                    }
                }
                Iterator<Map.Entry<String, Stored>> it = snapshot.entrySet().iterator();
                outbox.prefix(() -> {
                    if (!it.hasNext()) {
                        return null;
                    }
                    Map.Entry<String, Stored> e = it.next();
                    Stored s = e.getValue();
                    return new Change<>(
                            e.getKey(), Change.Kind.PUT, s.value(), s.revision(), Clock.toInstant(s.timestampNanos()));
                });
            }
            watchers.add(watcher);
        }
        if (outbox.isTerminated()) {
            watchers.remove(watcher);
        }
        outbox.resume();
    }

    void close() {
        for (Watcher w : watchers) {
            w.outbox().complete();
        }
        watchers.clear();
        entries.clear();
    }
}
