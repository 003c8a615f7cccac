package io.daak.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;

/**
 * The buffer between the engine and one subscriber: holds what the subscriber has not requested yet,
 * applies its {@link Overflow} policy when that exceeds the capacity, and hands items over strictly
 * at the subscriber's demand, one drain loop at a time.
 *
 * <p>Producers call {@link #offer} from any thread and then {@link #drain()}; a subscription may
 * start with a {@code prefix} (stored messages replayed at demand) before the offered items.
 *
 * <p>Thread-safe: the buffer and demand are guarded by the outbox's monitor, emission is serialised by
 * the {@code WIP} counter and happens outside the monitor.
 *
 * @param <E> the item type
 */
final class Outbox<E> implements Subscription {

    /** The item was buffered. */
    static final int ACCEPTED = 0;
    /** A message was dropped (this one or the oldest buffered) or the subscription overflowed. */
    static final int DROPPED = 1;
    /** BLOCK policy: no room, nothing was buffered; the publisher should wait. */
    static final int FULL = 2;
    /** The subscription is gone. */
    static final int GONE = 3;

    private static final VarHandle WIP;

    static {
        try {
            WIP = MethodHandles.lookup().findVarHandle(Outbox.class, "wip", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CoreSubscriber<? super E> actual;
    private final Overflow overflow;
    private final String what;
    private final ArrayDeque<E> buffer = new ArrayDeque<>();

    // Guarded by this.
    private long requested;
    private boolean cancelled;
    private boolean done;
    private @Nullable Throwable error;
    private @Nullable Supplier<@Nullable E> prefix;
    private long dropped;
    private boolean paused;
    private @Nullable Predicate<? super E> expired;

    private volatile int wip;
    private volatile @Nullable Runnable onTerminate;
    private volatile @Nullable Runnable onRequest;
    private volatile @Nullable Runnable onRoom;

    Outbox(CoreSubscriber<? super E> actual, Overflow overflow, String what) {
        this.actual = actual;
        this.overflow = overflow;
        this.what = what;
    }

    /** Runs once when the subscription ends for any reason (cancel, error, completion). */
    void onTerminate(Runnable hook) {
        this.onTerminate = hook;
    }

    /** Runs after every {@code request(n)}, outside the monitor. */
    void onRequest(Runnable hook) {
        this.onRequest = hook;
    }

    /** Runs after an emission when a BLOCK outbox has room again, outside the monitor. */
    void onRoom(Runnable hook) {
        this.onRoom = hook;
    }

    /** Items replayed before anything offered; the supplier returns null when it is exhausted. */
    synchronized void prefix(Supplier<@Nullable E> source) {
        this.prefix = source;
    }

    /** Items for which the predicate holds when their turn comes are dropped instead of emitted. */
    synchronized void expireWhen(Predicate<? super E> predicate) {
        this.expired = predicate;
    }

    /** Holds emission until {@link #resume()}, while a subscription is being set up. */
    synchronized void pause() {
        paused = true;
    }

    /** Lets emission go on. */
    void resume() {
        synchronized (this) {
            paused = false;
        }
        drain();
    }

    Overflow overflow() {
        return overflow;
    }

    /**
     * Buffers an item according to the policy. Does not emit; call {@link #drain()} afterwards.
     *
     * @param item the item
     * @param force buffer even when a BLOCK outbox is full (the publisher already committed)
     * @return {@link #ACCEPTED}, {@link #DROPPED}, {@link #FULL} or {@link #GONE}
     */
    int offer(E item, boolean force) {
        synchronized (this) {
            if (cancelled || done) {
                return GONE;
            }
            if (!hasRoomLocked()) {
                switch (overflow.policy()) {
                    case DROP_OLDEST -> {
                        buffer.pollFirst();
                        buffer.addLast(item);
                        dropped++;
                        return DROPPED;
                    }
                    case DROP_LATEST -> {
                        dropped++;
                        return DROPPED;
                    }
                    case BLOCK -> {
                        if (!force) {
                            return FULL;
                        }
                    }
                    default -> {
                        dropped++;
                        failLocked(new OverflowException(what, overflow));
                        return DROPPED;
                    }
                }
            }
            buffer.addLast(item);
            return ACCEPTED;
        }
    }

    /** Whether an item offered now would be buffered without a drop or a wait. */
    synchronized boolean hasRoom() {
        return hasRoomLocked();
    }

    private boolean hasRoomLocked() {
        long limit = requested + overflow.capacity();
        return limit < 0 || buffer.size() < limit; // limit < 0: overflowed, unbounded demand
    }

    /** Demand not yet covered by buffered items: how many more items the subscriber takes at once. */
    synchronized long credit() {
        if (cancelled || done) {
            return 0;
        }
        return requested == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, requested - buffer.size());
    }

    synchronized long droppedCount() {
        return dropped;
    }

    boolean isTerminated() {
        synchronized (this) {
            return cancelled || done;
        }
    }

    /** Ends the subscription with an error at once, dropping what is buffered. */
    void fail(Throwable e) {
        synchronized (this) {
            if (cancelled || done) {
                return;
            }
            failLocked(e);
        }
        drain();
    }

    private void failLocked(Throwable e) {
        done = true;
        error = e;
        buffer.clear();
        prefix = null;
    }

    /** Completes the subscription at once, dropping what is buffered. */
    void complete() {
        synchronized (this) {
            if (cancelled || done) {
                return;
            }
            done = true;
            buffer.clear();
            prefix = null;
        }
        drain();
    }

    @Override
    public void request(long n) {
        if (!Operators.validate(n)) {
            fail(Exceptions.nullOrNegativeRequestException(n));
            return;
        }
        synchronized (this) {
            requested = Operators.addCap(requested, n);
        }
        Runnable hook = onRequest;
        if (hook != null) {
            hook.run();
        }
        drain();
    }

    @Override
    public void cancel() {
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            buffer.clear();
            prefix = null;
        }
        terminated();
    }

    private void terminated() {
        Runnable hook = onTerminate;
        onTerminate = null;
        if (hook != null) {
            hook.run();
        }
        Runnable room = onRoom;
        if (room != null) {
            room.run();
        }
    }

    /** Emits what the subscriber's demand allows; any thread may call it, one runs the loop. */
    void drain() {
        if ((int) WIP.getAndAdd(this, 1) != 0) {
            return;
        }
        int missed = 1;
        for (; ; ) {
            boolean emittedAny = false;
            for (; ; ) {
                E item = null;
                Supplier<@Nullable E> source = null;
                Throwable failure;
                boolean complete;
                synchronized (this) {
                    if (cancelled) {
                        return;
                    }
                    failure = error;
                    if (failure == null && requested > 0 && !paused) {
                        source = prefix;
                        if (source == null) {
                            item = buffer.pollFirst();
                            if (item != null && requested != Long.MAX_VALUE) {
                                requested--;
                            }
                        }
                    }
                    complete = failure == null && done && buffer.isEmpty();
                    if (failure != null || complete) {
                        cancelled = true; // terminal: nothing more is emitted
                    }
                }
                if (failure != null) {
                    terminated();
                    actual.onError(failure);
                    return;
                }
                if (complete) {
                    terminated();
                    actual.onComplete();
                    return;
                }
                if (source != null) {
                    item = pull(source);
                    if (item == null) {
                        continue; // prefix exhausted, or failed; the next pass reads the buffer
                    }
                    synchronized (this) {
                        if (requested != Long.MAX_VALUE) {
                            requested--;
                        }
                    }
                }
                if (item == null) {
                    break;
                }
                Predicate<? super E> exp = expired;
                if (exp != null && exp.test(item)) {
                    synchronized (this) {
                        dropped++;
                        if (requested != Long.MAX_VALUE) {
                            requested++; // the demand it took is given back
                        }
                    }
                    continue;
                }
                actual.onNext(item);
                emittedAny = true;
            }
            if (emittedAny && overflow.policy() == Overflow.Policy.BLOCK) {
                Runnable room = onRoom;
                if (room != null) {
                    room.run();
                }
            }
            missed = (int) WIP.getAndAdd(this, -missed) - missed;
            if (missed == 0) {
                return;
            }
        }
    }

    private @Nullable E pull(Supplier<@Nullable E> source) {
        try {
            E next = source.get();
            if (next == null) {
                synchronized (this) {
                    if (prefix == source) {
                        prefix = null;
                    }
                }
            }
            return next;
        } catch (RuntimeException e) {
            synchronized (this) {
                if (!cancelled && !done) {
                    failLocked(e);
                }
            }
            return null;
        }
    }
}
