package io.daak.shm;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.jspecify.annotations.Nullable;

/**
 * A {@code ByteBuf} over a run of pool blocks in shared memory: a sender's loan or a receiver's view.
 * When its reference count reaches zero the run goes back to its owner's pool (a release store in the
 * block states), unless the loan was handed to the peer, which then releases it. Reference counting
 * is thread-safe; contents are not synchronized.
 */
final class PoolBuffer extends UnpooledUnsafeDirectByteBuf {

    final UnsafeBuffer states;
    final int first;
    final int offsetInRun;
    final @Nullable BlockPool owner;
    private volatile boolean handedOver;

    PoolBuffer(
            ByteBufAllocator alloc,
            ByteBuffer memory,
            UnsafeBuffer states,
            int first,
            int offsetInRun,
            @Nullable BlockPool owner) {
        super(alloc, memory, memory.remaining());
        this.states = states;
        this.first = first;
        this.offsetInRun = offsetInRun;
        this.owner = owner;
    }

    /** Whether the peer now owns the run. */
    boolean handedOver() {
        return handedOver;
    }

    /** Marks the run as the peer's to release; this buffer's own release then leaves it alone. */
    void handOver() {
        handedOver = true;
    }

    @Override
    protected void deallocate() {
        super.deallocate();
        if (!handedOver) {
            BlockPool.release(states, first);
        }
    }
}
