package io.daak.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The open connections of one RSocket transport, and the loans made for them: a loan comes from the
 * pool of the connection whose I/O thread asks (RSocket calls responders and delivers replies there),
 * else from the connection opened last, else it is an ordinary buffer. A loan sent over another
 * connection than the one that lent it is copied there and returns to its own pool. Thread-safe.
 */
final class LoanSource {

    /**
     * The least room in front of a loan's data for the RSocket frame's header and metadata, copied
     * there when the frame is sent so that the whole frame is one reference into the pool. A loan's
     * data ends at the end of its run of blocks, so the room is this plus what the last block has to
     * spare; 64 bytes keep an RSocket frame of 16 MiB - 64 bytes of data in 256 blocks of 64 KiB.
     */
    static final int FRAME_HEADROOM = 64;

    private final CopyOnWriteArrayList<ShmConnection> open = new CopyOnWriteArrayList<>();

    /** Tracks {@code connection} until it closes. */
    void add(ShmConnection connection) {
        open.add(connection);
        connection.onClose().doFinally(s -> open.remove(connection)).subscribe(null, e -> {});
    }

    /** A loan of {@code size} bytes, owned by the caller; see the class comment for which pool. */
    ByteBuf loan(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("size=" + size + " must not be negative");
        }
        ShmConnection newest = null;
        for (ShmConnection c : open) {
            if (c.isIoThread()) {
                return c.loan(size, FRAME_HEADROOM);
            }
            if (!c.isDisposed()) {
                newest = c;
            }
        }
        return newest != null ? newest.loan(size, FRAME_HEADROOM) : ByteBufAllocator.DEFAULT.directBuffer(size, size);
    }

    /** The connections open now, oldest first; for tests. */
    java.util.List<ShmConnection> connections() {
        return java.util.List.copyOf(open);
    }
}
