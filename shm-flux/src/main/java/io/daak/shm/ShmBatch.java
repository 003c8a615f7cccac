package io.daak.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.NoSuchElementException;

/**
 * Consecutive messages from the peer, read in one pass and lent to the subscriber of
 * {@link ShmChannel#receiveBatches()} during one {@code onNext}: a cursor over the messages, not a
 * collection of objects. Small and medium messages (up to {@link ShmChannel#maxOfferLength()}) are read
 * in place in the inbound ring, which is given back to the peer after {@code onNext} returns: no copy
 * and no object per message. A larger message (sent in fragments or through the peer's pool) comes as
 * a batch of one.
 *
 * <pre>{@code
 * channel.receiveBatches().subscribe(batch -> {
 *     while (batch.next()) {
 *         long sequence = batch.buffer().getLong(batch.offset());   // read in place
 *         handle(sequence, batch.length());
 *     }
 * });
 * }</pre>
 *
 * <p>Lent: valid only during {@code onNext}, on the channel's I/O thread; the same instance is reused
 * for the next batch, so do not keep it, publish it to another thread, or put it behind an operator
 * that holds on to elements ({@code publishOn}, {@code buffer}, ...). Keep a message with
 * {@link #retainedMessage()}. Not thread-safe.
 */
public final class ShmBatch {

    private final ByteBuf ring;
    private final ByteBufAllocator alloc;
    private final int[] offsets;
    private final int[] lengths;
    private ByteBuf buffer;
    private int size;
    private int cursor = -1;
    private boolean inRing;

    /**
     * A batch over {@code ring}, the read-only view of the inbound ring.
     *
     * @param ring the inbound ring, read-only, indexed as the ring
     * @param alloc the allocator of {@link #retainedMessage()} copies
     * @param capacity the most messages in one batch
     */
    ShmBatch(ByteBuf ring, ByteBufAllocator alloc, int capacity) {
        this.ring = ring;
        this.alloc = alloc;
        this.buffer = ring;
        this.offsets = new int[capacity];
        this.lengths = new int[capacity];
    }

    /** The offset array the I/O thread fills before {@link #inRing(int)}. */
    int[] offsets() {
        return offsets;
    }

    /** The length array the I/O thread fills before {@link #inRing(int)}. */
    int[] lengths() {
        return lengths;
    }

    /** I/O thread: the batch is the first {@code count} entries of the arrays, in the ring. */
    ShmBatch inRing(int count) {
        buffer = ring;
        size = count;
        cursor = -1;
        inRing = true;
        return this;
    }

    /** I/O thread: the batch is {@code message} alone (readable bytes), lent. */
    ShmBatch single(ByteBuf message) {
        buffer = message;
        offsets[0] = message.readerIndex();
        lengths[0] = message.readableBytes();
        size = 1;
        cursor = -1;
        inRing = false;
        return this;
    }

    /** I/O thread: after {@code onNext}, so that a batch used later fails instead of reading stale memory. */
    void clear() {
        buffer = ring;
        size = 0;
        cursor = -1;
    }

    /**
     * The number of messages in this batch.
     *
     * @return at least one during {@code onNext}
     */
    public int size() {
        return size;
    }

    /**
     * Moves the cursor to the next message (the first one on the first call).
     *
     * @return false when there is no next message
     */
    public boolean next() {
        if (cursor + 1 >= size) {
            cursor = size;
            return false;
        }
        cursor++;
        return true;
    }

    /**
     * The buffer that holds the current message, from {@link #offset()} for {@link #length()} bytes:
     * read it with absolute getters ({@code getLong(offset())}, {@code getBytes(offset(), ...)}). Read-only
     * and shared by the messages of the batch; never retain or release it, nor change its indices.
     *
     * @return the current message's buffer
     * @throws NoSuchElementException when {@link #next()} has not moved the cursor to a message
     */
    public ByteBuf buffer() {
        check();
        return buffer;
    }

    /**
     * Where the current message starts in {@link #buffer()}.
     *
     * @return the index of its first byte
     * @throws NoSuchElementException when {@link #next()} has not moved the cursor to a message
     */
    public int offset() {
        check();
        return offsets[cursor];
    }

    /**
     * The current message's length in bytes.
     *
     * @return its length
     * @throws NoSuchElementException when {@link #next()} has not moved the cursor to a message
     */
    public int length() {
        check();
        return lengths[cursor];
    }

    /**
     * The current message as a {@code ByteBuf} the caller owns and must release: a copy of a message read
     * in the ring, a retained read-only view (no copy) of a large message in the peer's pool. Costs an
     * object or two: for messages kept beyond {@code onNext}, not for every message.
     *
     * @return the message, readable from its reader index for {@link #length()} bytes
     * @throws NoSuchElementException when {@link #next()} has not moved the cursor to a message
     */
    public ByteBuf retainedMessage() {
        check();
        int offset = offsets[cursor];
        int length = lengths[cursor];
        if (inRing) {
            return alloc.directBuffer(length, length).writeBytes(ring, offset, length);
        }
        return buffer.retainedSlice(offset, length);
    }

    private void check() {
        if (cursor < 0 || cursor >= size) {
            throw new NoSuchElementException(
                    size == 0
                            ? "this ShmBatch is not lent now: a batch is valid only during onNext"
                            : "no current message in this ShmBatch: call next() first, and read only while it returns true");
        }
    }

    @Override
    public String toString() {
        return "ShmBatch[" + size + " messages" + (inRing ? ", in the ring" : "") + "]";
    }
}
