package io.daak.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * A small received message lent to the receiver during {@code onNext}: a view of part of a receive
 * chunk (a pooled buffer that many small messages are copied into). It takes a reference to the chunk
 * only when it is first retained, so a message the receiver does not keep costs no reference counting
 * at all; a retained one keeps its chunk until its own count reaches zero. Reference counting is
 * thread-safe; contents are not synchronized.
 */
final class LentBuffer extends UnpooledUnsafeDirectByteBuf {

    private static final VarHandle HOLDING;

    static {
        try {
            HOLDING = MethodHandles.lookup().findVarHandle(LentBuffer.class, "holding", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ByteBuf chunk;

    @SuppressWarnings("unused") // through HOLDING
    private volatile boolean holding;

    /**
     * A view of {@code window}, which lies in {@code chunk}; readable from 0 to its end.
     *
     * @param alloc the allocator of copies
     * @param window the message's bytes, a slice of the chunk's memory
     * @param chunk the chunk, retained by this view only once the view is retained
     */
    LentBuffer(ByteBufAllocator alloc, ByteBuffer window, ByteBuf chunk) {
        super(alloc, false, window, window.remaining());
        this.chunk = chunk;
    }

    /** Whether a retain made this view hold a reference to its chunk. */
    boolean holdsChunk() {
        return (boolean) HOLDING.getAcquire(this);
    }

    private void holdChunk() {
        if (!(boolean) HOLDING.getAcquire(this) && HOLDING.compareAndSet(this, false, true)) {
            chunk.retain();
        }
    }

    @Override
    public ByteBuf retain() {
        holdChunk();
        return super.retain();
    }

    @Override
    public ByteBuf retain(int increment) {
        holdChunk();
        return super.retain(increment);
    }

    @Override
    protected void deallocate() {
        super.deallocate();
        if (holdsChunk()) {
            chunk.release();
        }
    }
}
