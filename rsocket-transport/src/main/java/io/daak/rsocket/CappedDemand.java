package io.daak.rsocket;

import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Passes a subscriber's demand upstream, but never more than {@code cap} outstanding at once: an
 * unbounded subscriber ({@code request(Long.MAX_VALUE)}) becomes a window of {@code cap} that is
 * refilled in quarters as items arrive. Exact small demands pass unchanged, so drop policies at the
 * node see the subscriber's real demand. Over RSocket this bounds what the node may queue for a
 * client whose socket is slow.
 *
 * <p>Thread-safe as Reactive Streams requires: {@code request} from any thread, signals serialised.
 */
final class CappedDemand<T> implements CoreSubscriber<T>, Subscription {

    private final CoreSubscriber<? super T> actual;
    private final long cap;
    private final long batch;
    private Subscription upstream = Operators.cancelledSubscription();

    private volatile long wanted;

    @SuppressWarnings("rawtypes")
    private static final AtomicLongFieldUpdater<CappedDemand> WANTED =
            AtomicLongFieldUpdater.newUpdater(CappedDemand.class, "wanted");

    private volatile long outstanding;

    @SuppressWarnings("rawtypes")
    private static final AtomicLongFieldUpdater<CappedDemand> OUTSTANDING =
            AtomicLongFieldUpdater.newUpdater(CappedDemand.class, "outstanding");

    private volatile int wip;

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<CappedDemand> WIP =
            AtomicIntegerFieldUpdater.newUpdater(CappedDemand.class, "wip");

    private final @Nullable Predicate<? super T> marker;
    private boolean markerSeen;
    private final @Nullable Function<? super T, List<T>> expand;
    private boolean done;

    private CappedDemand(
            CoreSubscriber<? super T> actual,
            long cap,
            @Nullable Predicate<? super T> marker,
            @Nullable Function<? super T, List<T>> expand) {
        this.actual = actual;
        this.marker = marker;
        this.expand = expand;
        this.cap = cap;
        this.batch = Math.max(1, cap / 4);
    }

    /** Applies the cap to a source. */
    static <T> Flux<T> cap(Flux<T> source, long cap) {
        return Flux.from(subscriber ->
                source.subscribe(new CappedDemand<T>(Operators.toCoreSubscriber(subscriber), cap, null, null)));
    }

    /**
     * Applies the cap to a source whose first item is a marker that says the subscription is in place:
     * requests one item at once, whatever the subscriber's demand, and swallows that marker when
     * {@code isMarker} says it is one (which then also releases it).
     */
    static <T> Flux<T> capAfterMarker(Flux<T> source, long cap, Predicate<? super T> isMarker) {
        return Flux.from(subscriber ->
                source.subscribe(new CappedDemand<T>(Operators.toCoreSubscriber(subscriber), cap, isMarker, null)));
    }

    /**
     * As {@link #capAfterMarker}, for a source whose items may each hold several (batches): demand
     * counts the items {@code expand} makes, so the source must never send more of those than asked.
     * {@code expand} takes ownership of what it is given; an error it throws ends the flux.
     */
    static <T> Flux<T> capAfterMarker(
            Flux<T> source, long cap, Predicate<? super T> isMarker, Function<? super T, List<T>> expand) {
        return Flux.from(subscriber ->
                source.subscribe(new CappedDemand<T>(Operators.toCoreSubscriber(subscriber), cap, isMarker, expand)));
    }

    @Override
    public Context currentContext() {
        return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
        upstream = s;
        actual.onSubscribe(this);
        if (marker != null) {
            OUTSTANDING.incrementAndGet(this);
            s.request(1);
        }
    }

    @Override
    public void onNext(T t) {
        if (done) {
            Operators.onNextDropped(t, actual.currentContext());
            return;
        }
        if (marker != null && !markerSeen) {
            markerSeen = true;
            if (marker.test(t)) {
                OUTSTANDING.decrementAndGet(this);
                drain();
                return;
            }
        }
        if (expand == null) {
            OUTSTANDING.decrementAndGet(this);
            actual.onNext(t);
        } else {
            List<T> items;
            try {
                items = expand.apply(t);
            } catch (RuntimeException e) {
                upstream.cancel();
                onError(e);
                return;
            }
            OUTSTANDING.addAndGet(this, -items.size());
            for (T item : items) {
                actual.onNext(item);
            }
        }
        drain();
    }

    @Override
    public void onError(Throwable t) {
        if (done) {
            Operators.onErrorDropped(t, actual.currentContext());
            return;
        }
        done = true;
        actual.onError(t);
    }

    @Override
    public void onComplete() {
        if (done) {
            return;
        }
        done = true;
        actual.onComplete();
    }

    @Override
    public void request(long n) {
        if (Operators.validate(n)) {
            Operators.addCap(WANTED, this, n);
            drain();
        }
    }

    @Override
    public void cancel() {
        upstream.cancel();
    }

    private void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        do {
            long w = wanted;
            long room = cap - outstanding;
            long ask = Math.min(w, room);
            // Ask when a quarter of the window is free, or when the subscriber wants less than that.
            if (ask > 0 && ask >= Math.min(w, batch)) {
                if (w != Long.MAX_VALUE) {
                    WANTED.addAndGet(this, -ask);
                }
                OUTSTANDING.addAndGet(this, ask);
                upstream.request(ask);
            }
            missed = WIP.addAndGet(this, -missed);
        } while (missed != 0);
    }
}
