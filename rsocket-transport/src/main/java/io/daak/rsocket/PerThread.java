package io.daak.rsocket;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.function.Supplier;

/** Per-thread values (scratch buffers, caches) held in Netty's fast thread-locals. */
final class PerThread {

    private PerThread() {}

    /**
     * A thread-local whose value {@code initial} makes on a thread's first use.
     *
     * @param initial makes a thread's value
     * @param <T> the value type
     * @return the thread-local
     */
    static <T> FastThreadLocal<T> of(Supplier<T> initial) {
        return new FastThreadLocal<>() {
            @Override
            protected T initialValue() {
                return initial.get();
            }
        };
    }
}
