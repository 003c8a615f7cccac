package io.daak.shm;

import static io.daak.shm.ConnectionFileDescriptor.sleepingOffset;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * One end of an shm connection. One I/O thread per connection moves messages between the rings and
 * Reactor: it reads the inbound ring only while the receiver has demand, writes queued messages into
 * the outbound ring while it has room, spins briefly when idle, then yields its core for a while and then parks
 * (a wake-up of a parked thread costs more than the yield phase's polling). A second thread blocks
 * on the Unix-domain socket: it turns wake-up bytes into unparks and notices at once when the peer
 * process is gone.
 *
 * <p>Per message the I/O thread does little on purpose: a message sent from the I/O thread itself
 * (RSocket's frames, messages a publisher makes on demand) goes straight into the ring without a
 * queue; a small received message is copied into a receive chunk shared with its neighbours and lent
 * as a {@link LentBuffer}, counted only if the receiver retains it; a frame whose data is a loan of
 * this end's pool travels as a reference to it, its header copied into the loan's headroom.
 *
 * <p>Ring records: {@link #FRAME} (a whole message), {@link #FIRST} (int total length, then the first
 * bytes of a message longer than a record) followed by {@link #NEXT} records, and {@link #POOL} (int
 * first block, int offset in the run, int length: a message in the sender's pool).
 *
 * <p>Wake-up protocol: before parking, the I/O thread stores 1 (or 2 when it waits for room in its
 * outbound ring) in its sleeping flag, with a full fence, and looks for work once more. A writer, after
 * committing records and a full fence, swaps a non-zero flag of the peer to 0 and, if it won, sends one
 * wake byte; a reader that freed room does the same for a flag of 2. Threads of the same process
 * unpark instead of sending a byte. Thread-safe.
 */
final class ShmConnection implements ShmChannel {

    static final int FRAME = 1;
    static final int FIRST = 2;
    static final int NEXT = 3;
    static final int POOL = 4;

    static final byte WAKE = 'W';
    static final byte BYE = 'C';

    private static final Logger log = LoggerFactory.getLogger(ShmConnection.class);
    private static final int SLEEPING = 1;
    private static final int SLEEPING_FOR_ROOM = 2;
    private static final int PREFETCH = 256;
    private static final int BATCH = 256;
    private static final long SAFETY_PARK_NANOS = 200_000_000L;
    private static final int SMALL = 1024;
    private static final int RECEIVE_CHUNK = 16 * 1024;
    private static final int WRITTEN = 1;
    private static final int NO_ROOM = 0;
    private static final int NOT_FRAMED = -1;
    private static final int BATCHES_PER_PASS = 16;
    private static final int OUTBOX_BATCH = 64;
    private static final int RING_EMPTY = 0;
    private static final int NOT_IN_RING = -1;
    private static final VarHandle WRITING;

    static {
        try {
            WRITING = java.lang.invoke.MethodHandles.lookup().findVarHandle(ShmConnection.class, "writing", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConnectionFile file;
    private final int side;
    private final SocketChannel socket;
    private final Path socketPath;
    private final long peerPid;
    private final int zeroCopyThreshold;
    private final long spinNanos;
    private final long busyNanos;
    private final UnsafeBuffer header;
    private final int mySleeping;
    private final int peerSleeping;
    private final OneToOneRingBuffer out;
    private final OneToOneRingBuffer in;
    /** The outbound ring as a {@code ByteBuf}, for copies from buffers without one memory address. */
    private final ByteBuf outRing;

    private final ByteBuffer inView;
    private final long outAddress;
    private final long inAddress;
    private final @Nullable BlockPool outPool;
    private final UnsafeBuffer inPoolStates;
    private final ByteBuffer inPoolBlocks;
    private final int inBlockSize;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final Queue<ByteBuf> frames =
            Queues.<ByteBuf>unboundedMultiproducer().get();
    private final CopyOnWriteArrayList<Sender> senders = new CopyOnWriteArrayList<>();
    private final AtomicLong requested = new AtomicLong();
    private final Sinks.Empty<Void> onClose = Sinks.empty();
    private final Thread ioThread;
    private final Thread socketThread;
    private final String name;

    private final Queue<MonoSink<Void>> roomWaiters = new ConcurrentLinkedQueue<>();
    private final AtomicBuffer inBuffer;
    private final int inCapacity;
    private final int inHeadPosition;
    private final ShmBatch batch;

    private volatile @Nullable CoreSubscriber<? super ByteBuf> receiver;
    private volatile @Nullable CoreSubscriber<? super ShmBatch> batchReceiver;
    /** 1 while a thread writes into the outbound ring (the I/O thread, or one in {@link #tryOffer}). */
    @SuppressWarnings("unused") // through WRITING
    private volatile int writing;
    /** Set by other threads after they gave the I/O thread work; its spin phase watches it. */
    private volatile boolean poked;

    private volatile boolean receiverTaken;
    private volatile boolean receiveCancelled;
    private volatile boolean disposeRequested;
    private volatile boolean peerBye;
    private volatile boolean peerGone;
    private volatile boolean terminated;
    private volatile boolean socketClosing;

    // I/O thread only.
    private @Nullable ByteBuf pending;
    private @Nullable Sender pendingSource;
    private int pendingOffset;
    private long blockedAtConsumerPosition = -1;
    private @Nullable ByteBuf assembling;
    private int assemblingTotal;
    private int emitted;
    private int senderCursor;
    private long disposeDeadline;
    private int unsignalled;
    private boolean freedRoom;
    private boolean holding;
    /**
     * I/O thread: whether the last pass found a message after a batch it had delivered (messages come
     * faster than they are handled), so that batches take every record there is; false once the ring was
     * found empty. True at first: a receiver that subscribes late may find a full ring.
     */
    private boolean streaming = true;

    /**
     * I/O thread: messages sent on the I/O thread through {@link #sendOwned} (RSocket's frames, made
     * while it handles a received frame), written at the end of the pass or every {@link #OUTBOX_BATCH}.
     */
    private final ArrayDeque<ByteBuf> outbox = new ArrayDeque<>();

    /** I/O thread: the messages {@link #flushOutbox} wrote, released once the writer lock is given back. */
    private final ByteBuf[] written = new ByteBuf[OUTBOX_BATCH];

    private @Nullable ByteBuf chunk;
    private ByteBuffer chunkMemory = ByteBuffer.allocateDirect(0);
    private final MessageHandler handler = this::onRecord;

    ShmConnection(ConnectionFile file, int side, SocketChannel socket, Path socketPath, ShmOptions options) {
        this.file = file;
        this.side = side;
        int peer = 1 - side;
        this.socket = socket;
        this.socketPath = socketPath;
        this.peerPid = file.pid(peer);
        this.zeroCopyThreshold = options.zeroCopyThreshold();
        this.spinNanos = options.spin().toNanos();
        this.busyNanos = spinNanos + options.yield().toNanos();
        this.header = file.header;
        this.mySleeping = sleepingOffset(side);
        this.peerSleeping = sleepingOffset(peer);
        this.out = file.ring(side);
        this.in = file.ring(peer);
        ByteBuffer outView = out.buffer().byteBuffer().duplicate();
        this.inView = in.buffer().byteBuffer().duplicate();
        // UnsafeBuffer over a slice of the mapping: its index 0 is the ring's first byte.
        outView.clear();
        this.inView.clear();
        this.outAddress = out.buffer().addressOffset();
        this.inAddress = in.buffer().addressOffset();
        this.inBuffer = in.buffer();
        this.inCapacity = in.capacity();
        this.inHeadPosition = inCapacity + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        this.outRing = new RingView(alloc, outView.duplicate().clear().limit(out.capacity()));
        this.batch = new ShmBatch(
                new RingView(alloc, inView.duplicate().clear().limit(inCapacity)).asReadOnly(), alloc, BATCH);
        this.outPool = file.poolBlocks > 0
                ? new BlockPool(file.poolStates(side), file.poolBlocks(side), file.poolBlockSize, file.poolBlocks)
                : null;
        this.inPoolStates = file.poolStates(peer);
        this.inPoolBlocks = file.poolBlocks(peer);
        this.inBlockSize = file.poolBlockSize;
        this.name = (side == ConnectionFileDescriptor.CLIENT ? "client" : "server") + " end of " + socketPath
                + " (peer pid " + peerPid + ")";
        // A Netty thread: Netty 4.2 gives pooled-buffer caches and recyclers only to these, and this
        // thread allocates and releases a buffer or two per frame.
        this.ioThread = new FastThreadLocalThread(this::ioLoop, "shm-io-" + socketPath.getFileName() + "-" + peerPid);
        this.ioThread.setDaemon(true);
        this.socketThread = new Thread(this::socketLoop, "shm-socket-" + socketPath.getFileName() + "-" + peerPid);
        this.socketThread.setDaemon(true);
    }

    void start() {
        socketThread.start();
        ioThread.start();
    }

    // ---------------------------------------------------------------- public API

    @Override
    public Flux<ByteBuf> receive() {
        return new Flux<>() {
            @Override
            public void subscribe(CoreSubscriber<? super ByteBuf> actual) {
                subscribeReceiver(actual);
            }
        };
    }

    @Override
    public Flux<ShmBatch> receiveBatches() {
        return new Flux<>() {
            @Override
            public void subscribe(CoreSubscriber<? super ShmBatch> actual) {
                if (takeReceiver(actual)) {
                    batchReceiver = actual;
                    wakeLocal();
                }
            }
        };
    }

    private void subscribeReceiver(CoreSubscriber<? super ByteBuf> actual) {
        if (takeReceiver(actual)) {
            receiver = actual;
            wakeLocal();
        }
    }

    /** Makes {@code actual} the one receiver (of messages or of batches) and subscribes it to the demand. */
    private boolean takeReceiver(CoreSubscriber<?> actual) {
        synchronized (this) {
            if (receiverTaken) {
                Operators.error(
                        actual,
                        new IllegalStateException(
                                "receive() and receiveBatches() of " + name + " allow only one subscriber"));
                return false;
            }
            receiverTaken = true;
        }
        actual.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
                if (Operators.validate(n)) {
                    requested.getAndUpdate(r -> Operators.addCap(r, n));
                    wakeLocal();
                }
            }

            @Override
            public void cancel() {
                receiveCancelled = true;
                dispose();
            }
        });
        return true;
    }

    @Override
    public Mono<Void> send(Publisher<? extends ByteBuf> messages) {
        java.util.Objects.requireNonNull(messages, "messages");
        return Mono.create(sink -> {
            Sender s = new Sender(sink);
            if (terminated) {
                sink.error(closedError());
                return;
            }
            senders.add(s);
            sink.onCancel(s::cancel);
            messages.subscribe(s);
        });
    }

    /**
     * Queues one message; takes ownership of {@code message} (released once written, or at close).
     * Never blocks; the queue is unbounded, so callers bound what they send (RSocket does, by demand).
     */
    void sendOwned(ByteBuf message) {
        if (terminated) {
            message.release();
            return;
        }
        if (Thread.currentThread() == ioThread && (!outbox.isEmpty() || canWriteNow())) {
            outbox.add(message);
            if (outbox.size() >= OUTBOX_BATCH) {
                flushOutbox();
            }
            return;
        }
        frames.offer(message);
        if (terminated) {
            drainFrames();
        }
        wakeLocal();
    }

    @Override
    public boolean tryOffer(ByteBuf buffer, int index, int length) {
        Objects.requireNonNull(buffer, "buffer");
        if (length > out.maxMsgLength()) {
            throw new IllegalArgumentException("a message of " + length + " bytes offered to " + name
                    + " is larger than a ring record (maxOfferLength() = " + out.maxMsgLength()
                    + "): send it with send(), or in a loan");
        }
        if (index < 0 || length < 0 || index > buffer.capacity() - length) {
            throw new IndexOutOfBoundsException("tryOffer(index " + index + ", length " + length
                    + ") outside a buffer of " + buffer.capacity() + " bytes");
        }
        if (terminated || disposeRequested || peerGone || peerBye) {
            throw closedError();
        }
        lockWriter();
        try {
            int idx = out.tryClaim(FRAME, length);
            if (idx < 0) {
                return false;
            }
            copyOut(buffer, index, idx, length);
            out.commit(idx);
        } finally {
            unlockWriter();
        }
        if (Thread.currentThread() == ioThread) {
            unsignalled++; // the peer is woken after the current pass
        } else {
            wakePeer(true);
        }
        return true;
    }

    @Override
    public int maxOfferLength() {
        return out.maxMsgLength();
    }

    @Override
    public Mono<Void> writable() {
        return Mono.create(sink -> {
            if (terminated) {
                sink.error(closedError());
            } else if (hasRoom()) {
                sink.success();
            } else {
                roomWaiters.offer(sink);
                if (terminated) {
                    failRoomWaiters();
                }
                wakeLocal();
            }
        });
    }

    /** Whether a quarter of the outbound ring is free: room for any message {@link #tryOffer} takes. */
    private boolean hasRoom() {
        return out.capacity() - out.size() >= out.capacity() / 4;
    }

    /** I/O thread: completes the waiters of {@link #writable()} when there is room. */
    private int signalRoom() {
        if (roomWaiters.isEmpty() || !hasRoom()) {
            return 0;
        }
        int n = 0;
        MonoSink<Void> w;
        while ((w = roomWaiters.poll()) != null) {
            w.success();
            n++;
        }
        return n;
    }

    private void failRoomWaiters() {
        MonoSink<Void> w;
        while ((w = roomWaiters.poll()) != null) {
            w.error(closedError());
        }
    }

    /**
     * Takes the outbound ring for one writer: the I/O thread around each message it writes, a thread in
     * {@link #tryOffer} around its claim, copy and commit. Held for a copy at most.
     */
    private void lockWriter() {
        int spins = 0;
        while (!WRITING.compareAndSet(this, 0, 1)) {
            if (++spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the holder may have lost its core in the middle of a copy
            }
        }
    }

    private void unlockWriter() {
        WRITING.setRelease(this, 0);
    }

    @Override
    public ByteBuf loan(int size) {
        return loan(size, 0);
    }

    /**
     * A loan of {@code size} bytes preceded, in the same run of blocks, by at least {@code headroom}
     * bytes that only the sender writes: room for a frame header in front of the data, so that a frame
     * made of a header and the loan travels as one pool reference (see {@link #writeFramedLoan}). The
     * data ends at the end of the run, so the room in front is as large as the run allows.
     */
    ByteBuf loan(int size, int headroom) {
        if (size < 0) {
            throw new IllegalArgumentException("size=" + size + " must not be negative");
        }
        BlockPool pool = outPool;
        int first = pool == null || size == 0 ? -1 : pool.tryAllocate(size + headroom);
        if (first < 0) {
            return alloc.directBuffer(size, size);
        }
        if (headroom > 0) {
            long run = ((long) size + headroom + pool.blockSize() - 1) / pool.blockSize() * pool.blockSize();
            headroom = (int) (run - size);
        }
        PoolBuffer b = new PoolBuffer(alloc, pool.slice(first, headroom, size), pool.states(), first, headroom, pool);
        b.clear();
        return b;
    }

    /** Whether the caller runs on this end's I/O thread (where RSocket calls responders and requesters). */
    boolean isIoThread() {
        return Thread.currentThread() == ioThread;
    }

    @Override
    public long peerPid() {
        return peerPid;
    }

    @Override
    public Path socketPath() {
        return socketPath;
    }

    @Override
    public Mono<Void> onClose() {
        return onClose.asMono();
    }

    @Override
    public void dispose() {
        if (!disposeRequested) {
            disposeRequested = true;
            wakeLocal();
        }
    }

    @Override
    public boolean isDisposed() {
        return terminated;
    }

    /** Pool blocks of this end's outbound pool in use (loaned, or sent and not yet released by the peer). */
    int poolBlocksInUse() {
        return outPool == null ? 0 : outPool.blocksInUse();
    }

    /** Bytes written into the outbound ring and not yet read by the peer; for tests. */
    int outboundBacklog() {
        return out.size();
    }

    /** The outbound ring's capacity; for tests. */
    int outboundCapacity() {
        return out.capacity();
    }

    /** The peer's pool as this end maps it: large messages arrive as views into it; for tests. */
    ByteBuffer inboundPool() {
        return inPoolBlocks.duplicate();
    }

    /** This end's outbound pool: loans point into it; for tests. */
    ByteBuffer outboundPool() {
        return outPool == null ? ByteBuffer.allocateDirect(0) : outPool.blocks();
    }

    ByteBufAllocator alloc() {
        return alloc;
    }

    @Override
    public String toString() {
        return "ShmChannel[" + name + "]";
    }

    // ---------------------------------------------------------------- wake-ups

    /** Wakes this end's I/O thread if it parked; called by other threads of this process. */
    private void wakeLocal() {
        if (Thread.currentThread() == ioThread) {
            return; // awake by definition, and it looks for work before it parks
        }
        poked = true; // a volatile write: a full fence before the flag is read
        int v = header.getIntVolatile(mySleeping);
        if (v != 0 && header.compareAndSetInt(mySleeping, v, 0)) {
            LockSupport.unpark(ioThread);
        }
    }

    /** Wakes the peer's I/O thread when it sleeps waiting for data ({@code anyFlag}) or for room. */
    private void wakePeer(boolean anyFlag) {
        VarHandle.fullFence();
        int v = header.getIntVolatile(peerSleeping);
        if (v == 0 || (!anyFlag && v != SLEEPING_FOR_ROOM)) {
            return;
        }
        if (header.compareAndSetInt(peerSleeping, v, 0)) {
            writeSocket(WAKE);
        }
    }

    private void writeSocket(byte b) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(1).put(0, b);
            while (buf.hasRemaining()) {
                socket.write(buf);
            }
        } catch (IOException e) {
            // The peer is gone; the socket thread reports it.
        }
    }

    private void socketLoop() {
        ByteBuffer buf = ByteBuffer.allocate(256);
        try {
            while (true) {
                buf.clear();
                int n = socket.read(buf);
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (buf.get(i) == BYE) {
                        peerBye = true;
                    }
                }
                poked = true;
                LockSupport.unpark(ioThread);
            }
        } catch (IOException e) {
            log.debug("shm socket of {} ended: {}", name, e.toString());
        } finally {
            if (!peerBye && !socketClosing) {
                peerGone = true;
                log.debug("shm peer of {} is gone", name);
            }
            poked = true;
            LockSupport.unpark(ioThread);
        }
    }

    // ---------------------------------------------------------------- I/O thread

    private void ioLoop() {
        Throwable failure = null;
        long idleSince = 0;
        try {
            while (true) {
                int work = readInbound() + writeOutbound() + pollSenders() + signalRoom() + flushOutbox();
                if (unsignalled > 0) {
                    work += unsignalled;
                    unsignalled = 0;
                    freedRoom = false;
                    wakePeer(true); // for data, and for the room read this pass
                } else if (freedRoom) {
                    freedRoom = false;
                    wakePeer(false);
                }
                if (disposeRequested) {
                    if (disposeDeadline == 0) {
                        disposeDeadline = System.nanoTime() + 1_000_000_000L;
                    }
                    if (outboundEmpty() || peerGone || peerBye || System.nanoTime() > disposeDeadline) {
                        break;
                    }
                }
                if ((peerBye || peerGone) && (receiveDrained() || receiveCancelled)) {
                    break;
                }
                if (work > 0) {
                    idleSince = 0;
                    continue;
                }
                long now = System.nanoTime();
                if (idleSince == 0) {
                    idleSince = now;
                }
                if (now - idleSince < spinNanos) {
                    spin(idleSince + spinNanos);
                } else if (now - idleSince < busyNanos) {
                    Thread.yield();
                } else {
                    sleep();
                    idleSince = 0;
                }
            }
        } catch (Throwable t) {
            failure = t;
            log.warn("shm I/O of {} failed", name, t);
        } finally {
            terminate(failure);
        }
    }

    /**
     * The spin phase: watches only what can end it cheaply (a record at the inbound ring's head while
     * the receiver has demand, or a poke from another thread) until {@code until}, so that a message is
     * seen within a few nanoseconds of its commit; the full pass runs again when something shows.
     */
    private void spin(long until) {
        if (pending != null || !roomWaiters.isEmpty()) {
            Thread.onSpinWait(); // waiting for room: the full pass looks at the ring's consumer
            return;
        }
        for (int i = 1; !inboundReady() && !poked; i++) {
            Thread.onSpinWait();
            if ((i & 7) == 0 && System.nanoTime() - until >= 0) {
                break;
            }
        }
        if (poked) {
            poked = false; // before the full pass, which sees what the poke announced
        }
    }

    /** Whether the receiver has demand and a committed record is at the ring's head (not one being written). */
    private boolean inboundReady() {
        if (receiver == null && batchReceiver == null || requested.get() == 0) {
            return false;
        }
        long head = inBuffer.getLong(inHeadPosition);
        return inBuffer.getIntVolatile(RecordDescriptor.lengthOffset((int) head & (inCapacity - 1))) > 0;
    }

    private void sleep() {
        boolean waitingForRoom = pending != null || !roomWaiters.isEmpty();
        header.putIntVolatile(mySleeping, waitingForRoom ? SLEEPING_FOR_ROOM : SLEEPING);
        if (hasWork()) {
            header.compareAndSetInt(mySleeping, header.getIntVolatile(mySleeping), 0);
            return;
        }
        LockSupport.parkNanos(this, SAFETY_PARK_NANOS);
        int v = header.getIntVolatile(mySleeping);
        if (v != 0) {
            header.compareAndSetInt(mySleeping, v, 0);
        }
    }

    private boolean hasWork() {
        if (disposeRequested || peerBye || peerGone || receiveCancelled) {
            return true;
        }
        if ((receiver != null || batchReceiver != null) && requested.get() > 0 && in.size() > 0) {
            return true;
        }
        if (!roomWaiters.isEmpty() && hasRoom()) {
            return true;
        }
        if (pending != null) {
            return out.consumerPosition() != blockedAtConsumerPosition;
        }
        if (!frames.isEmpty() || !outbox.isEmpty()) {
            return true;
        }
        for (Sender s : senders) {
            if (s.ready()) {
                return true;
            }
        }
        return false;
    }

    private boolean outboundEmpty() {
        if (pending != null || !frames.isEmpty() || !outbox.isEmpty()) {
            return false;
        }
        for (Sender s : senders) {
            if (!s.queue.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Whether the inbound side is finished once the peer has left: nothing more can be delivered. */
    private boolean receiveDrained() {
        if (receiver == null && batchReceiver == null || in.size() == 0 && assembling == null) {
            return true;
        }
        // A crashed peer sends nothing more: do not wait for demand to deliver the rest.
        return peerGone && !peerBye && requested.get() == 0;
    }

    private int readInbound() {
        boolean batches = batchReceiver != null;
        if (receiver == null && !batches || receiveCancelled) {
            return 0;
        }
        long n = requested.get();
        if (n == 0) {
            return 0;
        }
        emitted = 0;
        int records = batches ? readBatches(n) : in.read(handler, (int) Math.min(n, BATCH));
        if (emitted > 0 && n != Long.MAX_VALUE) {
            requested.addAndGet(-emitted);
        }
        if (records > 0) {
            freedRoom = true; // the peer is woken after this pass, if it waits for room
        }
        return records;
    }

    /**
     * Delivers up to {@code n} (at most {@link #BATCHES_PER_PASS}) batches to the batch receiver: runs of
     * whole messages read in place in the ring, and each message that is not one (fragments, pool
     * references) as a batch of its own through {@link #onRecord}.
     *
     * @return records read, or 1 for a pass that only skipped the ring's end padding
     */
    private int readBatches(long n) {
        int limit = (int) Math.min(n, BATCHES_PER_PASS);
        int records = 0;
        while (emitted < limit && !receiveCancelled) {
            int r = readRingBatch();
            if (r == NOT_IN_RING) {
                r = in.read(handler, 1);
            }
            if (r == RING_EMPTY) {
                streaming = false;
                break;
            }
            if (records > 0) {
                streaming = true; // more came while the last batch was handled: batch them up
            }
            records += r;
        }
        return records;
    }

    /**
     * Reads the whole messages ({@link #FRAME} records) from the ring's head up to its end or the first
     * other record, lends them to the batch receiver as one {@link ShmBatch} read in place, then gives
     * their room back to the peer (the same head move as Agrona's {@code OneToOneRingBuffer.read}).
     *
     * <p>Unless messages are {@link #streaming}, the batch is the head message alone: looking for a
     * next record reads the cache line after it, which the writer owns (it zeroed the next header), and
     * that miss (about 0.1 µs between cores) would delay every reply of a ping-pong. Aeron's poll also
     * hands a fragment over before it reads the next one.
     *
     * @return the messages delivered (1 when only the end padding was skipped), {@link #RING_EMPTY}, or
     *     {@link #NOT_IN_RING} when the head record is of another type
     */
    private int readRingBatch() {
        AtomicBuffer b = inBuffer;
        long head = b.getLong(inHeadPosition);
        int headIndex = (int) head & (inCapacity - 1);
        int max = inCapacity - headIndex;
        int[] offsets = batch.offsets();
        int[] lengths = batch.lengths();
        int bytes = 0;
        int count = 0;
        boolean other = false;
        while (bytes < max && count < BATCH && (count == 0 || streaming)) {
            int record = headIndex + bytes;
            int recordLength = b.getIntVolatile(RecordDescriptor.lengthOffset(record));
            if (recordLength <= 0) {
                break;
            }
            int type = b.getInt(RecordDescriptor.typeOffset(record));
            if (type == RingBuffer.PADDING_MSG_TYPE_ID) {
                bytes += BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT);
                continue;
            }
            if (type != FRAME) {
                other = true;
                break;
            }
            offsets[count] = RecordDescriptor.encodedMsgOffset(record);
            lengths[count] = recordLength - RecordDescriptor.HEADER_LENGTH;
            count++;
            bytes += BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT);
        }
        if (bytes == 0) {
            return other ? NOT_IN_RING : RING_EMPTY;
        }
        try {
            if (count > 0) {
                emitted++;
                CoreSubscriber<? super ShmBatch> r = batchReceiver;
                if (r != null && !receiveCancelled) {
                    r.onNext(batch.inRing(count));
                }
            }
        } finally {
            batch.clear();
            b.putLongRelease(inHeadPosition, head + bytes);
        }
        return Math.max(count, 1);
    }

    private void onRecord(int type, DirectBuffer buffer, int index, int length) {
        switch (type) {
            case FRAME -> {
                if (length <= SMALL && batchReceiver == null) {
                    emitSmall(index, length);
                } else {
                    emit(copyIn(index, length, alloc.directBuffer(length, length)));
                }
            }
            case FIRST -> {
                int total = buffer.getInt(index);
                if (assembling != null) {
                    assembling.release();
                }
                assembling = copyIn(index + Integer.BYTES, length - Integer.BYTES, alloc.directBuffer(total, total));
                assemblingTotal = total;
            }
            case NEXT -> {
                ByteBuf a = assembling;
                if (a == null) {
                    throw new IllegalStateException("shm record NEXT without FIRST on " + name);
                }
                copyIn(index, length, a);
                if (a.writerIndex() == assemblingTotal) {
                    assembling = null;
                    emit(a);
                }
            }
            case POOL -> {
                int first = buffer.getInt(index);
                int offset = buffer.getInt(index + Integer.BYTES);
                int len = buffer.getInt(index + 2 * Integer.BYTES);
                ByteBuffer memory = inPoolBlocks.slice(first * inBlockSize + offset, len);
                PoolBuffer view = new PoolBuffer(alloc, memory, inPoolStates, first, offset, null);
                emit(view.asReadOnly());
            }
            default -> throw new IllegalStateException("unknown shm record type " + type + " on " + name);
        }
    }

    /**
     * Emits a small message copied into the current receive chunk, lent as a {@link LentBuffer} view
     * of it: one pooled allocation per chunk instead of one per message, and no reference counting
     * for a message the receiver does not retain. A view the receiver retains keeps its chunk (as
     * Netty's TCP read buffers are kept by the frames sliced from them).
     */
    private void emitSmall(int index, int length) {
        ByteBuf c = chunk;
        if (c == null || c.writableBytes() < length) {
            if (c != null) {
                c.release();
            }
            c = alloc.directBuffer(RECEIVE_CHUNK, RECEIVE_CHUNK);
            chunk = c;
            chunkMemory = c.nioBuffer(0, RECEIVE_CHUNK);
        }
        int at = c.writerIndex();
        copyIn(index, length, c);
        emitted++;
        CoreSubscriber<? super ByteBuf> r = receiver;
        if (r == null || receiveCancelled) {
            return;
        }
        LentBuffer view = new LentBuffer(alloc, chunkMemory.slice(at, length), c);
        r.onNext(view);
        int count = view.refCnt();
        if (count == 0) {
            throw releasedLent(null);
        }
        if (view.holdsChunk()) {
            view.release(); // this end's reference; the receiver's keep the view and its chunk
        }
        // Otherwise nobody kept the view: it is simply dropped, the chunk's memory is this end's.
    }

    private IllegalStateException releasedLent(@Nullable Throwable cause) {
        return new IllegalStateException(
                "the receiver of " + name
                        + " released a message it did not retain: messages are lent during onNext only",
                cause);
    }

    private ByteBuf copyIn(int index, int length, ByteBuf into) {
        int at = into.writerIndex();
        if (into.hasMemoryAddress() && into.writableBytes() >= length) {
            // One memory copy, without moving a ByteBuffer's position and limit or Netty's checks.
            UnsafeApi.copyMemory(inAddress + index, into.memoryAddress() + at, length);
            into.writerIndex(at + length);
        } else {
            inView.limit(index + length).position(index);
            into.writeBytes(inView);
        }
        return into;
    }

    private void emit(ByteBuf message) {
        emitted++;
        CoreSubscriber<? super ByteBuf> r = receiver;
        CoreSubscriber<? super ShmBatch> batches = batchReceiver;
        try {
            if (receiveCancelled) {
                return;
            }
            if (r != null) {
                r.onNext(message);
            } else if (batches != null) {
                try {
                    batches.onNext(batch.single(message));
                } finally {
                    batch.clear();
                }
            }
        } finally {
            try {
                message.release();
            } catch (IllegalReferenceCountException e) {
                throw releasedLent(e);
            }
        }
    }

    private int writeOutbound() {
        if (peerGone || peerBye) {
            return 0;
        }
        int written = 0;
        boolean progress = false;
        while (written < BATCH) {
            if (pending == null && !outbox.isEmpty()) {
                written += flushOutbox();
                continue;
            }
            if (pending == null) {
                ByteBuf next = frames.poll();
                pendingSource = null;
                if (next == null) {
                    next = pollSenderMessage();
                }
                if (next == null) {
                    break;
                }
                pending = next;
                pendingOffset = 0;
            }
            int before = pendingOffset;
            boolean done;
            try {
                done = writeOneLocked(pending);
            } catch (RuntimeException e) {
                pending.release();
                pending = null;
                throw e;
            }
            if (pendingOffset != before) {
                progress = true;
            }
            if (!done) {
                blockedAtConsumerPosition = out.consumerPosition();
                break;
            }
            pending.release();
            pending = null;
            blockedAtConsumerPosition = -1;
            written++;
        }
        if (written > 0 || progress) {
            unsignalled++; // the peer is woken after this pass
        }
        return written + (progress ? 1 : 0);
    }

    /**
     * Whether a message sent now may go straight into the ring: on the I/O thread, with nothing
     * written half way, nothing queued before it and no message taken from a queue but not yet written.
     */
    private boolean canWriteNow() {
        return Thread.currentThread() == ioThread
                && pending == null
                && !holding
                && frames.isEmpty()
                && outbox.isEmpty()
                && !terminated;
    }

    /**
     * I/O thread: writes the {@link #outbox} into the ring, up to {@link #OUTBOX_BATCH} messages under one
     * hold of the writer lock, and releases them after. Written one at a time, each message's lock and
     * release (atomic instructions) waited for the stores of the message before it to reach the ring's
     * cache lines, which the reader polls; a 64 B RSocket stream spent about a fifth of its time so.
     * When the ring is full the first message left becomes {@link #pending}; the rest wait in order.
     *
     * @return messages written, plus one for a message written in part
     */
    private int flushOutbox() {
        if (outbox.isEmpty() || pending != null) {
            return 0;
        }
        if (peerGone || peerBye) {
            releaseAll(outbox);
            return 0;
        }
        int n = 0;
        boolean part = false;
        lockWriter();
        try {
            ByteBuf message;
            while (n < OUTBOX_BATCH && (message = outbox.poll()) != null) {
                pendingOffset = 0;
                if (!writeOwned(message, false)) {
                    hold(message, null);
                    part = pendingOffset > 0;
                    break;
                }
                written[n++] = message;
            }
        } finally {
            unlockWriter();
            for (int i = 0; i < n; i++) {
                written[i].release();
                written[i] = null;
            }
        }
        if (n > 0 || part) {
            unsignalled++; // the peer is woken after this pass
        }
        return n + (part ? 1 : 0);
    }

    /** I/O thread: {@code message}, written in part or not at all, waits as {@link #pending} for room. */
    private void hold(ByteBuf message, @Nullable Sender source) {
        pending = message;
        pendingSource = source;
        blockedAtConsumerPosition = out.consumerPosition();
    }

    /** {@link #writeOne} of a message this end owns, which is released when writing it throws. */
    private boolean writeOwned(ByteBuf message, boolean takeLock) {
        try {
            return takeLock ? writeOneLocked(message) : writeOne(message);
        } catch (RuntimeException e) {
            message.release();
            throw e;
        }
    }

    private static void releaseAll(Queue<ByteBuf> messages) {
        ByteBuf b;
        while ((b = messages.poll()) != null) {
            b.release();
        }
    }

    /**
     * I/O thread, {@link #canWriteNow()}: writes {@code message} at once (RSocket sends most frames
     * from this thread, while it handles inbound frames), so that each frame's buffers are released,
     * and recycled by Netty, right after they were made; the peer is woken after the current pass.
     * Takes ownership of {@code message}.
     */
    private void writeNow(ByteBuf message, @Nullable Sender source) {
        if (peerGone || peerBye) {
            message.release();
            return;
        }
        pendingOffset = 0;
        boolean done = writeOwned(message, true);
        if (done) {
            message.release();
        } else {
            hold(message, source);
        }
        unsignalled++;
    }

    private @Nullable ByteBuf pollSenderMessage() {
        int n = senders.size();
        for (int i = 0; i < n; i++) {
            int k = (senderCursor + i) % n;
            Sender s;
            try {
                s = senders.get(k);
            } catch (IndexOutOfBoundsException e) {
                return null;
            }
            ByteBuf b = s.poll();
            if (b != null) {
                senderCursor = k + 1;
                pendingSource = s;
                return b;
            }
        }
        return null;
    }

    /** {@link #writeOne} with the outbound ring taken from {@link #tryOffer}s of other threads. */
    private boolean writeOneLocked(ByteBuf message) {
        lockWriter();
        try {
            return writeOne(message);
        } finally {
            unlockWriter();
        }
    }

    /** Writes (the rest of) one message; false when the ring has no room now. */
    private boolean writeOne(ByteBuf message) {
        int len = message.readableBytes();
        if (pendingOffset == 0) {
            PoolBuffer loan = ownLoan(message);
            if (loan != null) {
                int idx = out.tryClaim(POOL, 3 * Integer.BYTES);
                if (idx < 0) {
                    return false;
                }
                putPoolRecord(idx, loan.first, loan.offsetInRun + message.readerIndex(), len);
                loan.handOver();
                out.commit(idx);
                return true;
            }
            if (len > SMALL && message instanceof CompositeByteBuf frame) {
                int framed = writeFramedLoan(frame);
                if (framed != NOT_FRAMED) {
                    return framed == WRITTEN;
                }
            }
            if (len >= zeroCopyThreshold && outPool != null) {
                int idx = out.tryClaim(POOL, 3 * Integer.BYTES);
                if (idx < 0) {
                    return false;
                }
                int first = outPool.tryAllocate(len);
                if (first >= 0) {
                    message.getBytes(message.readerIndex(), outPool.slice(first, 0, len));
                    putPoolRecord(idx, first, 0, len);
                    out.commit(idx);
                    return true;
                }
                out.abort(idx);
            }
            if (len <= out.maxMsgLength()) {
                int idx = out.tryClaim(FRAME, len);
                if (idx < 0) {
                    return false;
                }
                copyOut(message, message.readerIndex(), idx, len);
                out.commit(idx);
                return true;
            }
            int chunk = out.maxMsgLength() - Integer.BYTES;
            int idx = out.tryClaim(FIRST, chunk + Integer.BYTES);
            if (idx < 0) {
                return false;
            }
            out.buffer().putInt(idx, len);
            copyOut(message, message.readerIndex(), idx + Integer.BYTES, chunk);
            out.commit(idx);
            pendingOffset = chunk;
        }
        while (pendingOffset < len) {
            int chunk = Math.min(out.maxMsgLength(), len - pendingOffset);
            int idx = out.tryClaim(NEXT, chunk);
            if (idx < 0) {
                return false;
            }
            copyOut(message, message.readerIndex() + pendingOffset, idx, chunk);
            out.commit(idx);
            pendingOffset += chunk;
        }
        return true;
    }

    /**
     * Sends a frame whose last component is a loan of this end's pool (an RSocket frame: header and
     * metadata, then the loaned data) as one pool reference: the bytes in front of the loan are copied
     * into the loan's headroom, just before its data, so that the receiver sees the whole frame as one
     * contiguous read-only view of the pool. Anything else (a loan of another connection, a loan with
     * too little headroom, a loan that is not the last component or is shared) is {@link #NOT_FRAMED}
     * and travels by copy. Frames up to {@link #SMALL} bytes are not looked at: copying them costs less.
     *
     * @return {@link #WRITTEN}, {@link #NO_ROOM} or {@link #NOT_FRAMED}
     */
    private int writeFramedLoan(CompositeByteBuf frame) {
        int n = frame.numComponents();
        if (n < 2 || outPool == null || frame.writerIndex() != frame.capacity()) {
            return NOT_FRAMED;
        }
        int dataStart = frame.toByteIndex(n - 1);
        int prefix = dataStart - frame.readerIndex();
        int dataLength = frame.writerIndex() - dataStart;
        if (prefix < 0 || dataLength <= 0) {
            return NOT_FRAMED;
        }
        ByteBuf component = frame.internalComponent(n - 1);
        ByteBuf root = component;
        while (!(root instanceof PoolBuffer)) {
            ByteBuf inner = root.unwrap();
            if (inner == null) {
                return NOT_FRAMED;
            }
            root = inner;
        }
        PoolBuffer loan = (PoolBuffer) root;
        if (loan.owner != outPool || loan.refCnt() != 1 || loan.handedOver() || !component.hasMemoryAddress()) {
            return NOT_FRAMED;
        }
        long inLoan = component.memoryAddress() - loan.memoryAddress();
        if (inLoan < 0 || inLoan + dataLength > loan.capacity() || prefix > loan.offsetInRun + inLoan) {
            return NOT_FRAMED;
        }
        int idx = out.tryClaim(POOL, 3 * Integer.BYTES);
        if (idx < 0) {
            return NO_ROOM;
        }
        int offset = loan.offsetInRun + (int) inLoan - prefix;
        frame.getBytes(frame.readerIndex(), outPool.slice(loan.first, offset, prefix));
        putPoolRecord(idx, loan.first, offset, prefix + dataLength);
        loan.handOver();
        out.commit(idx);
        return WRITTEN;
    }

    private @Nullable PoolBuffer ownLoan(ByteBuf message) {
        if (message instanceof PoolBuffer p && p.owner == outPool && p.refCnt() == 1 && !p.handedOver()) {
            return p;
        }
        return null;
    }

    private void putPoolRecord(int idx, int first, int offset, int len) {
        UnsafeBuffer b = (UnsafeBuffer) out.buffer();
        b.putInt(idx, first);
        b.putInt(idx + Integer.BYTES, offset);
        b.putInt(idx + 2 * Integer.BYTES, len);
    }

    private void copyOut(ByteBuf message, int from, int idx, int len) {
        if (message.hasMemoryAddress() && message.refCnt() > 0) {
            UnsafeApi.copyMemory(message.memoryAddress() + from, outAddress + idx, len);
        } else {
            // A composite (an RSocket frame: header, metadata, data) copies each component straight
            // into the ring, where the ByteBuffer overload made a ByteBuffer duplicate per component.
            message.getBytes(from, outRing, idx, len);
        }
    }

    private int pollSenders() {
        int work = 0;
        for (Sender s : senders) {
            if (s.checkTerminated(pendingSource == s && pending != null)) {
                senders.remove(s);
                work++;
            }
        }
        return work;
    }

    private void terminate(@Nullable Throwable failure) {
        terminated = true;
        boolean lost = peerGone && !peerBye;
        if (!lost) {
            writeSocket(BYE);
        }
        socketClosing = true;
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed.
        }
        Sender unwritten = pending != null ? pendingSource : null;
        if (pending != null) {
            pending.release();
            pending = null;
        }
        if (assembling != null) {
            assembling.release();
            assembling = null;
        }
        if (chunk != null) {
            chunk.release();
            chunk = null;
        }
        drainFrames();
        releaseAll(outbox);
        Throwable error = failure != null ? failure : lost ? closedError() : null;
        CoreSubscriber<?> r = receiver != null ? receiver : batchReceiver;
        if (r != null && !receiveCancelled) {
            if (error != null) {
                r.onError(error);
            } else {
                r.onComplete();
            }
        }
        failRoomWaiters();
        // After the receiver: an echo (send(receive())) then completes instead of failing.
        for (Sender s : senders) {
            // A sender whose message was dropped half written, or not at all, fails; it did not send it.
            if (!s.checkTerminated(s == unwritten)) {
                s.abort(error != null ? error : closedError());
            }
        }
        senders.clear();
        log.debug("shm connection {} closed{}", name, error != null ? ": " + error.getMessage() : "");
        onClose.tryEmitEmpty();
    }

    private void drainFrames() {
        releaseAll(frames);
    }

    /** The error of a connection whose peer died, or null while open or after an orderly close. */
    @Nullable
    ShmPeerLostException lostError() {
        return terminated && peerGone && !peerBye ? closedError() : null;
    }

    /** The error streams see when the peer is gone. */
    ShmPeerLostException closedError() {
        if (peerGone && !peerBye) {
            return new ShmPeerLostException("shm peer pid " + peerPid + " on " + socketPath
                    + " disconnected without closing (killed or crashed); the connection is closed");
        }
        return new ShmPeerLostException("shm connection " + name + " is closed");
    }

    /** The publisher of one {@link #send} call: a bounded queue the I/O thread drains into the ring. */
    private final class Sender implements CoreSubscriber<ByteBuf> {
        final Queue<ByteBuf> queue = Queues.<ByteBuf>get(PREFETCH).get();
        final MonoSink<Void> sink;
        volatile @Nullable Subscription upstream;
        volatile boolean done;
        volatile @Nullable Throwable error;
        volatile boolean cancelled;
        int consumed;
        volatile boolean finished;

        Sender(MonoSink<Void> sink) {
            this.sink = sink;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                s.request(PREFETCH);
            }
        }

        @Override
        public void onNext(ByteBuf b) {
            if (cancelled || finished) {
                b.release();
                return;
            }
            if (queue.isEmpty() && canWriteNow()) {
                // Made on the I/O thread (on demand, or in reply to a received message): straight
                // into the ring, in order, since nothing of this sender is queued.
                writeNow(b, this);
                consumed();
                return;
            }
            if (!queue.offer(b)) {
                b.release();
                return;
            }
            wakeLocal();
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done = true;
            wakeLocal();
        }

        @Override
        public void onComplete() {
            done = true;
            wakeLocal();
        }

        boolean ready() {
            return !queue.isEmpty() || done || cancelled;
        }

        /** I/O thread: the next message, replenishing demand as the queue drains. */
        @Nullable
        ByteBuf poll() {
            if (cancelled) {
                return null;
            }
            ByteBuf b = queue.poll();
            if (b != null) {
                // b is not written yet: what the publisher emits in answer to this demand must
                // queue up behind it rather than be written at once.
                holding = true;
                try {
                    consumed();
                } finally {
                    holding = false;
                }
            }
            return b;
        }

        /** I/O thread: one more message taken; replenishes demand every three quarters of the prefetch. */
        private void consumed() {
            if (++consumed == PREFETCH - PREFETCH / 4) {
                consumed = 0;
                Subscription s = upstream;
                if (s != null) {
                    s.request(PREFETCH - PREFETCH / 4);
                }
            }
        }

        /** I/O thread: signals the sink when everything is written; true when this sender is finished. */
        boolean checkTerminated(boolean hasPending) {
            if (cancelled) {
                releaseQueued();
                finished = true;
                return true;
            }
            if (done && queue.isEmpty() && !hasPending) {
                finished = true;
                Throwable e = error;
                if (e != null) {
                    sink.error(e);
                } else {
                    sink.success();
                }
                return true;
            }
            return false;
        }

        void cancel() {
            cancelled = true;
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
            wakeLocal();
        }

        void abort(Throwable e) {
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
            releaseQueued();
            finished = true;
            if (!cancelled) {
                sink.error(e);
            }
        }

        private void releaseQueued() {
            ByteBuf b;
            while ((b = queue.poll()) != null) {
                b.release();
            }
        }
    }
}
