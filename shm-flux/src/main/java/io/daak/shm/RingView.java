package io.daak.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import java.nio.ByteBuffer;

/**
 * A ring as one {@code ByteBuf}, indexed as the ring: the inbound ring is the buffer of the messages a
 * {@link ShmBatch} lends in place (read-only), the outbound ring the target of copies from composite
 * buffers. Made once per connection and never freed (the mapping belongs to the connection file);
 * retaining or releasing it is refused.
 */
final class RingView extends UnpooledUnsafeDirectByteBuf {

    /**
     * A view of {@code ring} from its position to its limit.
     *
     * @param alloc the allocator of copies
     * @param ring the ring's data, position 0 at the ring's first byte
     */
    RingView(ByteBufAllocator alloc, ByteBuffer ring) {
        super(alloc, false, ring.slice(), ring.remaining());
        writerIndex(ring.remaining());
    }

    @Override
    public ByteBuf retain() {
        throw lent();
    }

    @Override
    public ByteBuf retain(int increment) {
        throw lent();
    }

    @Override
    public boolean release() {
        throw lent();
    }

    @Override
    public boolean release(int decrement) {
        throw lent();
    }

    private static IllegalStateException lent() {
        return new IllegalStateException("the buffer of an ShmBatch is the inbound ring, lent during onNext: "
                + "read a message with ShmBatch.retainedMessage() to keep it, never retain or release the buffer");
    }
}
