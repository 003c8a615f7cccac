package io.daak.tracing;

import org.reactivestreams.Publisher;
import reactor.core.CorePublisher;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * Subscribes an operator's own subscriber to the publisher it wraps the way Reactor's operators do:
 * straight through {@link CorePublisher#subscribe(CoreSubscriber)} when the publisher is Reactor's,
 * without wrapping it again or running the last-operator hooks (the caller is not the last operator: the
 * chain's own operators follow it).
 *
 * <p>Stateless and thread-safe.
 */
final class InnerSubscribe {

    private InnerSubscribe() {}

    @SuppressWarnings("unchecked")
    static <R> void to(Publisher<? extends R> source, CoreSubscriber<? super R> subscriber) {
        if (source instanceof CorePublisher<?> core) {
            ((CorePublisher<R>) core).subscribe(subscriber);
        } else {
            Flux.<R>from(source).subscribe(subscriber);
        }
    }
}
