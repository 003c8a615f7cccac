package io.daak.core;

import java.util.List;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs a list of {@link Interceptor}s around a terminal call, shared by the in-process engine and by
 * {@link Daak#intercepted(Daak, Interceptor...)}.
 *
 * <p>Immutable and thread-safe.
 */
final class InterceptorChain {

    private final List<Interceptor> interceptors;

    InterceptorChain(List<Interceptor> interceptors) {
        this.interceptors = List.copyOf(interceptors);
    }

    boolean isEmpty() {
        return interceptors.isEmpty();
    }

    /** The terminal's elements, with every interceptor around it. */
    <R> Flux<R> flux(Invocation invocation, Function<Invocation, Publisher<R>> terminal) {
        if (interceptors.isEmpty()) {
            return Flux.from(terminal.apply(invocation));
        }
        return Flux.defer(() -> chain(0, invocation, terminal));
    }

    /** The terminal's one element, with every interceptor around it. */
    <R> Mono<R> mono(Invocation invocation, Function<Invocation, Mono<R>> terminal) {
        if (interceptors.isEmpty()) {
            return terminal.apply(invocation);
        }
        // The first element is the result, but the chain runs to its end: Mono.from would cancel it
        // after that element, and interceptors timing or tracing the call would see a cancel.
        return Mono.defer(() -> Flux.from(chain(0, invocation, terminal::apply)).reduce((first, later) -> first));
    }

    private <R> Publisher<R> chain(int index, Invocation invocation, Function<Invocation, Publisher<R>> terminal) {
        if (index == interceptors.size()) {
            return terminal.apply(invocation);
        }
        try {
            return interceptors.get(index).intercept(invocation, next -> chain(index + 1, next, terminal));
        } catch (RuntimeException e) {
            return Flux.error(e);
        }
    }
}
