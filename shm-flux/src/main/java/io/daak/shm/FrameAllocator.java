package io.daak.shm;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeHeapByteBuf;

/**
 * The allocator RSocket encodes its frames with over shm ({@link ShmDuplexConnection#alloc()}): small
 * heap buffers, because every frame is copied into the ring at once and released. RSocket makes a
 * header buffer for each frame (a few bytes, then the frame is a composite of it, the metadata and the
 * data); a heap buffer costs a bump of the thread's allocation pointer, where a pooled one costs the
 * pool's bookkeeping on allocation and release, and an unreleased heap buffer is only garbage. The
 * frame's composite is not sampled by Netty's leak detector (see {@link #compositeHeapBuffer}). Direct
 * buffers, asked for explicitly, come from the pooled allocator. Thread-safe.
 */
final class FrameAllocator extends AbstractByteBufAllocator {

    /** The one instance. */
    static final FrameAllocator INSTANCE = new FrameAllocator();

    /** The initial capacity of a buffer asked for without one: a frame header, and then some. */
    static final int HEADER_CAPACITY = 64;

    private FrameAllocator() {
        super(false);
    }

    @Override
    public ByteBuf buffer() {
        return heapBuffer(HEADER_CAPACITY);
    }

    @Override
    public ByteBuf heapBuffer() {
        return heapBuffer(HEADER_CAPACITY);
    }

    /**
     * A frame's composite, not tracked by Netty's leak detector: the transport releases every frame it
     * is given, and the parts (the metadata and data buffers) are tracked by their own allocators.
     */
    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return new CompositeByteBuf(this, false, maxNumComponents);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return new UnpooledUnsafeHeapByteBuf(this, initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return true;
    }
}
