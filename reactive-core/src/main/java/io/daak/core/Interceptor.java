package io.daak.core;

import java.util.function.Function;
import org.reactivestreams.Publisher;

/**
 * Code around every operation, where tracing, metrics and authorisation plug in without the engine
 * knowing them. Interceptors form a chain in the order they were added: the first sees the call first
 * and the result last.
 *
 * <p>An interceptor may
 *
 * <ul>
 *   <li>change the invocation's fields before passing it on (add trace headers),
 *   <li>decorate the result (time it, count its elements, see each delivered {@link Message}),
 *   <li>refuse the call by returning an error instead of calling {@code next}.
 * </ul>
 *
 * <pre>{@code
 * Interceptor audit = new Interceptor() {
 *   public <R> Publisher<R> intercept(Invocation call, Function<Invocation, Publisher<R>> next) {
 *     if (call.operation() == Operation.PUBLISH && call.target().startsWith("admin/")) {
 *       return Mono.error(new DaakException("not allowed to publish to '" + call.target() + "'"));
 *     }
 *     return Flux.from(next.apply(call)).doOnComplete(() -> log.info("{} done", call));
 *   }
 * };
 * }</pre>
 *
 * <p>The result publisher is what the caller gets ({@code Mono} operations take its first element).
 * For {@link Operation#SUBSCRIBE} its elements are {@link Message}s, for {@link Operation#RECV}
 * {@link Delivery}s, for {@link Operation#WATCH} {@link Change}s. Implementations MUST be thread-safe
 * and MUST NOT block.
 *
 * <h2>Watching a subscription's backlog</h2>
 *
 * <p>For {@link Operation#SUBSCRIBE}, {@link Operation#RECV} and {@link Operation#WATCH} in the in-process
 * engine (a node's included), the {@link org.reactivestreams.Subscription} at the top of the result is
 * the subscription's buffer, and it is a {@link reactor.core.Scannable}: {@code Attr.BUFFERED} is how many
 * messages wait for the subscriber (the backlog), {@code Attr.CAPACITY} its overflow capacity,
 * {@code Attr.NAME} the selector pattern or queue name. An interceptor reaches it from the subscription
 * its own operator receives by following {@code Attr.PARENT} through the operators between (Reactor's
 * operators answer it); the view is read-only and reading it costs the subscription nothing.
 *
 * <pre>{@code
 * return Flux.from(next.apply(call)).doOnSubscribe(s -> watch(Scannable.from(s)));   // BUFFERED, PARENT, ...
 * }</pre>
 */
public interface Interceptor {

    /**
     * Intercepts one call.
     *
     * @param invocation the call
     * @param next the rest of the chain; call it at most once per subscription of the result
     * @param <R> the element type of the result
     * @return the result, usually derived from {@code next.apply(invocation)}
     */
    <R> Publisher<R> intercept(Invocation invocation, Function<Invocation, Publisher<R>> next);
}
