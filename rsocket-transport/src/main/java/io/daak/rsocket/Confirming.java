package io.daak.rsocket;

import io.rsocket.Payload;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Emits a marker payload before the items of a subscription that is already registered: the marker
 * takes one unit of the first request, the rest goes upstream. Upstream emits nothing before it is
 * asked, so the marker is always first.
 *
 * <p>Thread-safe as Reactive Streams requires.
 */
final class Confirming implements CoreSubscriber<Payload>, Subscription {

    private final CoreSubscriber<? super Payload> actual;
    private final Supplier<Payload> marker;
    private final AtomicBoolean sent = new AtomicBoolean();
    private volatile boolean cancelled;
    /** Set once upstream ended: a marker after a terminal signal would break Reactive Streams. */
    private volatile boolean done;

    private Subscription upstream = Operators.emptySubscription();

    Confirming(Subscriber<? super Payload> actual, Supplier<Payload> marker) {
        this.actual = Operators.toCoreSubscriber(actual);
        this.marker = marker;
    }

    @Override
    public Context currentContext() {
        return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
        upstream = s;
        actual.onSubscribe(this);
    }

    @Override
    public void onNext(Payload p) {
        actual.onNext(p);
    }

    @Override
    public void onError(Throwable t) {
        done = true;
        actual.onError(t);
    }

    @Override
    public void onComplete() {
        done = true;
        actual.onComplete();
    }

    @Override
    public void request(long n) {
        if (!Operators.validate(n)) {
            return;
        }
        if (sent.compareAndSet(false, true)) {
            if (!cancelled && !done) {
                actual.onNext(marker.get());
            }
            if (n == Long.MAX_VALUE) {
                upstream.request(n);
            } else if (n > 1) {
                upstream.request(n - 1);
            }
        } else {
            upstream.request(n);
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        upstream.cancel();
    }
}
