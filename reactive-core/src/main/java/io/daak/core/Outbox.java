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
import reactor.core.Scannable;
import reactor.core.publisher.Operators;

/**
 * The buffer between the engine and one subscriber: holds what the subscriber has not requested yet,
 * applies its {@link Overflow} policy when that exceeds the capacity, and hands items over strictly
 * at the subscriber's demand, one emitting thread at a time.
 *
 * <p>Two ways in: {@link #deliver} (for callers that hold no lock) emits at once on the caller's
 * thread when the subscriber has demand and nothing is buffered, and buffers otherwise; {@link #offer}
 * only buffers, for callers that hold a lock, who call {@link #drain()} after releasing it. A
 * subscription may start with a {@code prefix} (stored messages replayed at demand) before anything
 * delivered.
 *
 * <p>It is the {@link Subscription} its subscriber gets, and it is {@link Scannable}, so that an
 * {@link Interceptor} can watch a live subscription's backlog without the engine knowing it (Reactor's
 * operators answer the same questions):
 *
 * <ul>
 *   <li>{@link Scannable.Attr#BUFFERED}: items buffered for the subscriber and not yet delivered (the
 *       backlog);
 *   <li>{@link Scannable.Attr#CAPACITY}: the overflow policy's capacity beyond the subscriber's demand;
 *   <li>{@link Scannable.Attr#REQUESTED_FROM_DOWNSTREAM}: demand not yet used;
 *   <li>{@link Scannable.Attr#TERMINATED}, {@link Scannable.Attr#ACTUAL}, {@link Scannable.Attr#NAME} (the
 *       selector pattern or queue name).
 * </ul>
 *
 * <p>Thread-safe. Emission is serialised by the {@code WIP} counter (whoever moves it from 0 emits);
 * the buffer is guarded by the outbox's monitor and its size is published in a volatile field so
 * that the emit-at-once path takes no lock; demand is a {@code REQUESTED} counter that only the
 * emitting thread decrements.
 *
 * @param <E> the item type
 */
final class Outbox<E> implements Subscription, Scannable {

    /** The item was delivered or buffered. */
    static final int ACCEPTED = 0;
    /** A message was dropped (this one or the oldest buffered) or the subscription overflowed. */
    static final int DROPPED = 1;
    /** BLOCK policy: no room, nothing was buffered; the publisher should wait. */
    static final int FULL = 2;
    /** The subscription is gone. */
    static final int GONE = 3;

    private static final VarHandle WIP;
    private static final VarHandle REQUESTED;
    private static final VarHandle DROPPED_COUNT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WIP = lookup.findVarHandle(Outbox.class, "wip", int.class);
            REQUESTED = lookup.findVarHandle(Outbox.class, "requested", long.class);
            DROPPED_COUNT = lookup.findVarHandle(Outbox.class, "droppedCount", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CoreSubscriber<? super E> actual;
    private final Overflow overflow;
    private final String what;
    private final ArrayDeque<E> buffer = new ArrayDeque<>(); // guarded by this

    // Written under this, read without it.
    private volatile int size;
    private volatile boolean terminated;
    private volatile boolean paused;
    /** Non-zero while the emit-at-once path is closed: paused, replaying a prefix, or terminated. */
    private volatile int gate;

    private volatile @Nullable Supplier<@Nullable E> prefix;

    // Guarded by this.
    private boolean cancelled;
    private boolean done;
    private @Nullable Throwable error;

    private volatile int wip;
    private volatile long requested;
    private volatile long droppedCount;
    private volatile @Nullable Predicate<? super E> skip;
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

    /** Runs after a BLOCK outbox emitted (so it has room again) and when it ends, outside the monitor. */
    void onRoom(Runnable hook) {
        this.onRoom = hook;
    }

    /** Items replayed before anything delivered; the supplier returns null when it is exhausted. */
    synchronized void prefix(Supplier<@Nullable E> source) {
        this.prefix = source;
        updateGate();
    }

    /**
     * Items for which the predicate holds when their turn comes are dropped instead of emitted. It is
     * only called by the emitting thread.
     */
    void skipWhen(Predicate<? super E> predicate) {
        this.skip = predicate;
    }

    /** Holds emission until {@link #resume()}, while a subscription is being set up. */
    void pause() {
        synchronized (this) {
            paused = true;
            updateGate();
        }
    }

    /** Recomputes {@link #gate}; called under the monitor whenever what it sums up changes. */
    private void updateGate() {
        gate = (paused ? 1 : 0) | (prefix != null ? 2 : 0) | (terminated ? 4 : 0);
    }

    /** Lets emission go on. */
    void resume() {
        synchronized (this) {
            paused = false;
            updateGate();
        }
        drain();
    }

    Overflow overflow() {
        return overflow;
    }

    /**
     * Emits the item at once when the subscriber has demand and nothing is ahead of it, else buffers
     * it under the policy. The caller MUST NOT hold a lock: the subscriber runs on this thread.
     *
     * @param item the item
     * @param force buffer even when a BLOCK outbox is full (the publisher already committed)
     * @return {@link #ACCEPTED}, {@link #DROPPED}, {@link #FULL} or {@link #GONE}
     */
    int deliver(E item, boolean force) {
        if ((gate | size) == 0 && (long) REQUESTED.getVolatile(this) > 0 && WIP.compareAndSet(this, 0, 1)) {
            if ((gate | size) == 0) {
                long r = (long) REQUESTED.getVolatile(this); // only grows until this thread takes it
                if (r > 0) {
                    if (r != Long.MAX_VALUE) {
                        REQUESTED.getAndAdd(this, -1L); // taken first, so offer() sees it at once
                    }
                    emit(item, r, true, true);
                    if ((int) WIP.getAndAdd(this, -1) != 1) {
                        drainLoop();
                    } else if (overflow.policy() == Overflow.Policy.BLOCK) {
                        room();
                    }
                    return ACCEPTED;
                }
            }
            int result = offer(item, force);
            drainLoop();
            return result;
        }
        int result = offer(item, force);
        drain();
        return result;
    }

    /**
     * Emits one item that demand {@code r > 0} allows, unless a delivered item is to be skipped; only
     * the emitting thread calls it.
     *
     * @param counted whether the demand was already taken (together with the poll of the buffer)
     */
    private void emit(E item, long r, boolean delivered, boolean counted) {
        Predicate<? super E> s = skip;
        if (delivered && s != null && s.test(item)) {
            DROPPED_COUNT.getAndAdd(this, 1L);
            if (counted) {
                REQUESTED.getAndAdd(this, 1L); // give the demand back
            }
            return;
        }
        if (!counted && r != Long.MAX_VALUE) {
            REQUESTED.getAndAdd(this, -1L);
        }
        actual.onNext(item);
    }

    /**
     * Buffers an item according to the policy, without emitting: call {@link #drain()} afterwards,
     * once no lock is held.
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
            if (!hasRoom()) {
                switch (overflow.policy()) {
                    case DROP_OLDEST -> {
                        // A concurrent emission may have taken demand after offers were admitted:
                        // trim back to the limit, not just by one.
                        do {
                            buffer.pollFirst();
                        } while (!buffer.isEmpty() && !hasRoomFor(buffer.size()));
                        buffer.addLast(item);
                        size = buffer.size();
                        DROPPED_COUNT.getAndAdd(this, 1L);
                        return DROPPED;
                    }
                    case DROP_LATEST -> {
                        DROPPED_COUNT.getAndAdd(this, 1L);
                        return DROPPED;
                    }
                    case BLOCK -> {
                        if (!force) {
                            return FULL;
                        }
                    }
                    default -> {
                        DROPPED_COUNT.getAndAdd(this, 1L);
                        failLocked(new OverflowException(what, overflow));
                        return DROPPED;
                    }
                }
            }
            buffer.addLast(item);
            size = buffer.size();
            return ACCEPTED;
        }
    }

    /** Whether an item offered now would be taken without a drop or a wait (a racy estimate). */
    boolean hasRoom() {
        return hasRoomFor(size);
    }

    private boolean hasRoomFor(int buffered) {
        long limit = (long) REQUESTED.getVolatile(this) + overflow.capacity();
        return limit < 0 || buffered < limit; // limit < 0: unbounded demand
    }

    /** Demand not yet covered by buffered items: how many more items the subscriber takes at once. */
    long credit() {
        if (terminated) {
            return 0;
        }
        long r = (long) REQUESTED.getVolatile(this);
        return r == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, r - size);
    }

    long droppedCount() {
        return droppedCount;
    }

    /** A read-only view for monitoring: see the class comment. Any thread; the values are a snapshot. */
    @Override
    public @Nullable Object scanUnsafe(Attr key) {
        if (key == Attr.BUFFERED) {
            return size;
        }
        if (key == Attr.CAPACITY) {
            return overflow.capacity();
        }
        if (key == Attr.REQUESTED_FROM_DOWNSTREAM) {
            return (long) REQUESTED.getVolatile(this);
        }
        if (key == Attr.TERMINATED) {
            return terminated;
        }
        if (key == Attr.ACTUAL) {
            return actual;
        }
        if (key == Attr.NAME) {
            return what;
        }
        return null;
    }

    boolean isTerminated() {
        return terminated;
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
        clearLocked();
    }

    private void clearLocked() {
        terminated = true;
        buffer.clear();
        size = 0;
        prefix = null;
        updateGate();
    }

    /** Completes the subscription at once, dropping what is buffered. */
    void complete() {
        synchronized (this) {
            if (cancelled || done) {
                return;
            }
            done = true;
            clearLocked();
        }
        drain();
    }

    @Override
    public void request(long n) {
        if (!Operators.validate(n)) {
            fail(Exceptions.nullOrNegativeRequestException(n));
            return;
        }
        for (; ; ) {
            long r = (long) REQUESTED.getVolatile(this);
            if (r == Long.MAX_VALUE || REQUESTED.compareAndSet(this, r, Operators.addCap(r, n))) {
                break;
            }
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
            clearLocked();
        }
        terminated();
    }

    private void terminated() {
        Runnable hook = onTerminate;
        onTerminate = null;
        if (hook != null) {
            hook.run();
        }
        room();
    }

    private void room() {
        Runnable room = onRoom;
        if (room != null) {
            room.run();
        }
    }

    /** Emits what the subscriber's demand allows; any thread may call it, one runs the loop. */
    void drain() {
        if ((int) WIP.getAndAdd(this, 1) == 0) {
            drainLoop();
        }
    }

    /** The emission loop; the caller has moved {@code WIP} from 0. */
    private void drainLoop() {
        int missed = 1;
        for (; ; ) {
            boolean emitted = false;
            for (; ; ) {
                if (terminated && terminate()) {
                    return;
                }
                if (paused) {
                    break;
                }
                long r = (long) REQUESTED.getVolatile(this);
                if (r == 0) {
                    break;
                }
                Supplier<@Nullable E> source = prefix;
                if (source != null) {
                    E item = pull(source);
                    if (item == null) {
                        continue; // prefix exhausted (or failed); the next pass reads the buffer
                    }
                    emit(item, r, false, false);
                    emitted = true;
                    continue;
                }
                if (size == 0) {
                    break;
                }
                int taken = take(r);
                if (taken == 0) {
                    break;
                }
                emitted = true;
                if (!emitTaken(taken, r)) {
                    break;
                }
            }
            if (emitted && overflow.policy() == Overflow.Policy.BLOCK) {
                room();
            }
            missed = (int) WIP.getAndAdd(this, -missed) - missed;
            if (missed == 0) {
                return;
            }
        }
    }

    /** How many buffered items the emitting thread takes under one lock. */
    private static final int CHUNK = 64;

    /** Items taken from the buffer and not emitted yet; only the emitting thread uses it. */
    private @Nullable Object[] taken;

    /**
     * Moves up to {@link #CHUNK} buffered items that demand {@code r} allows into {@link #taken},
     * taking their demand with them (which keeps hasRoom() exact for offer()): one lock for many
     * items, so that a publishing thread that buffers and the subscriber's thread that drains meet
     * on the monitor once per chunk rather than once per item.
     *
     * @return how many were taken
     */
    private int take(long r) {
        Object[] out = taken;
        if (out == null) {
            out = new Object[CHUNK];
            taken = out;
        }
        int n;
        synchronized (this) {
            n = (int) Math.min(Math.min(r, buffer.size()), CHUNK);
            for (int i = 0; i < n; i++) {
                out[i] = buffer.pollFirst();
            }
            size = buffer.size();
            if (n > 0 && r != Long.MAX_VALUE) {
                REQUESTED.getAndAdd(this, (long) -n);
            }
        }
        return n;
    }

    /**
     * Emits the {@code n} items {@link #take} moved out. Stops early when the subscription ends
     * (what is left is dropped, as the buffer would be) or is paused (what is left goes back to the
     * front of the buffer with its demand).
     *
     * @return false when it stopped early
     */
    @SuppressWarnings("unchecked")
    private boolean emitTaken(int n, long r) {
        Object[] items = java.util.Objects.requireNonNull(taken);
        int i = 0;
        try {
            while (i < n && !terminated && !paused) {
                E item = (E) items[i];
                items[i++] = null; // past it before it goes out: a subscriber that throws does not get it back
                emit(item, r, true, true);
            }
        } finally {
            if (i < n) {
                giveBack(items, i, n, r);
            }
        }
        return i == n;
    }

    /**
     * Returns items {@code from..n} of a chunk (none of them emitted) to the front of the buffer with
     * their demand, or drops them if the subscription ended.
     */
    @SuppressWarnings("unchecked")
    private void giveBack(Object[] items, int from, int n, long r) {
        synchronized (this) {
            if (!terminated) {
                for (int k = n - 1; k >= from; k--) {
                    buffer.addFirst((E) items[k]);
                }
                size = buffer.size();
                if (r != Long.MAX_VALUE) {
                    REQUESTED.getAndAdd(this, (long) (n - from));
                }
            }
        }
        java.util.Arrays.fill(items, from, n, null);
    }

    /** Signals the terminal event once; true when the loop must stop. */
    private boolean terminate() {
        Throwable failure;
        synchronized (this) {
            if (cancelled) {
                return true;
            }
            if (!done) {
                return false;
            }
            failure = error;
            cancelled = true; // nothing more is emitted
        }
        terminated();
        if (failure != null) {
            actual.onError(failure);
        } else {
            actual.onComplete();
        }
        return true;
    }

    private @Nullable E pull(Supplier<@Nullable E> source) {
        try {
            E next = source.get();
            if (next == null) {
                synchronized (this) {
                    if (prefix == source) {
                        prefix = null;
                        updateGate();
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
