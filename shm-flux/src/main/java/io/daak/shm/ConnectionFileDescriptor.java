package io.daak.shm;

import static org.agrona.BitUtil.align;

import org.agrona.BitUtil;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Layout of the memory-mapped file one shm connection lives in: a header, one ring per direction
 * and one block pool per direction. The server creates the file, the client attaches to it, and the
 * server unlinks it as soon as both have mapped it, so a crash of either process leaves nothing behind.
 *
 * <p>File sections (every section starts on a {@value #PAGE}-byte boundary):
 *
 * <pre>
 *   +----------------------------+ 0
 *   | Header ({@value #HEADER_LENGTH} bytes)         |
 *   +----------------------------+ RING_OFFSET
 *   | Ring written by the client | ringCapacity + ring trailer, padded to a page
 *   +----------------------------+
 *   | Ring written by the server |
 *   +----------------------------+
 *   | Client pool block states   | poolBlocks * 4, padded to a page
 *   | Client pool blocks         | poolBlocks * poolBlockSize
 *   +----------------------------+
 *   | Server pool block states   |
 *   | Server pool blocks         |
 *   +----------------------------+ fileLength(...)
 * </pre>
 *
 * <p>Header:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Magic "DAAKSHM1" (64 bits)                |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               Version (written last, release)                 |  8
 *  +---------------------------------------------------------------+
 *  |                        Header Length                          | 12
 *  +---------------------------------------------------------------+
 *  |                   Ring Capacity (power of 2)                  | 16
 *  +---------------------------------------------------------------+
 *  |                 Pool Block Size (multiple of 4096)            | 20
 *  +---------------------------------------------------------------+
 *  |                    Pool Blocks per direction                  | 24
 *  +---------------------------------------------------------------+
 *  |                          Padding                              | 28
 *  +---------------------------------------------------------------+
 *  |                     Client PID (64 bits)                      | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Server PID (64 bits)                      | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Padding to byte 128                        | 48
 *  +---------------------------------------------------------------+
 *  |      Client Sleeping flag (0 awake, 1 parked), own cache line | 128
 *  +---------------------------------------------------------------+
 *  |      Server Sleeping flag (0 awake, 1 parked), own cache line | 192
 *  +---------------------------------------------------------------+
 *  |                    Padding to {@value #HEADER_LENGTH}                        | 256
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>A pool block state is one 32-bit word per block: {@code 0} free, {@code n > 0} the first block of
 * an allocation of {@code n} blocks held by the receiver, {@code -n} that allocation released by the
 * receiver and waiting for the owner to reclaim it. Blocks after the first of an allocation stay 0 in
 * shared memory; the owner tracks them locally.
 *
 * <p>Holds only constants and pure functions; thread-safe.
 */
final class ConnectionFileDescriptor {

    /** The file format version; bump on any layout change. */
    static final int VERSION = 1;

    /** "DAAKSHM1" in little-endian order. */
    static final long MAGIC = 0x314D48534B414144L;

    static final int PAGE = 4096;
    static final int HEADER_LENGTH = PAGE;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int HEADER_LENGTH_OFFSET = 12;
    static final int RING_CAPACITY_OFFSET = 16;
    static final int POOL_BLOCK_SIZE_OFFSET = 20;
    static final int POOL_BLOCKS_OFFSET = 24;
    static final int PID_OFFSET = 32;
    static final int SLEEPING_OFFSET = 128;

    static final int RING_OFFSET = HEADER_LENGTH;

    /** Side index of the client; it writes ring 0 and owns pool 0. */
    static final int CLIENT = 0;

    /** Side index of the server; it writes ring 1 and owns pool 1. */
    static final int SERVER = 1;

    static final int MIN_RING_CAPACITY = 64 * 1024;

    private ConnectionFileDescriptor() {}

    /** Offset of the pid of {@code side}. */
    static int pidOffset(int side) {
        return PID_OFFSET + side * Long.BYTES;
    }

    /** Offset of the sleeping flag of {@code side}'s I/O thread, on its own cache line. */
    static int sleepingOffset(int side) {
        return SLEEPING_OFFSET + side * BitUtil.CACHE_LINE_LENGTH;
    }

    /** Length of one ring section including Agrona's trailer, page aligned. */
    static int ringSectionLength(int ringCapacity) {
        return align(ringCapacity + RingBufferDescriptor.TRAILER_LENGTH, PAGE);
    }

    /** Offset of the ring written by {@code side}. */
    static long ringOffset(int side, int ringCapacity) {
        return RING_OFFSET + (long) side * ringSectionLength(ringCapacity);
    }

    /** Length of the block-state words of one pool, page aligned. */
    static int poolStatesLength(int poolBlocks) {
        return align(Math.max(poolBlocks, 1) * Integer.BYTES, PAGE);
    }

    /** Length of one pool section: states then blocks. */
    static long poolSectionLength(int poolBlockSize, int poolBlocks) {
        return poolStatesLength(poolBlocks) + (long) poolBlockSize * poolBlocks;
    }

    /** Offset of the block states of the pool owned by {@code side}. */
    static long poolStatesOffset(int side, int ringCapacity, int poolBlockSize, int poolBlocks) {
        return RING_OFFSET + 2L * ringSectionLength(ringCapacity) + side * poolSectionLength(poolBlockSize, poolBlocks);
    }

    /** Offset of the first block of the pool owned by {@code side}. */
    static long poolBlocksOffset(int side, int ringCapacity, int poolBlockSize, int poolBlocks) {
        return poolStatesOffset(side, ringCapacity, poolBlockSize, poolBlocks) + poolStatesLength(poolBlocks);
    }

    /** Total file length for these sizes. */
    static long fileLength(int ringCapacity, int poolBlockSize, int poolBlocks) {
        return RING_OFFSET + 2L * ringSectionLength(ringCapacity) + 2L * poolSectionLength(poolBlockSize, poolBlocks);
    }

    /**
     * Checks a ring capacity.
     *
     * @throws IllegalArgumentException when not a power of two of at least {@value #MIN_RING_CAPACITY}
     */
    static void checkRingCapacity(int ringCapacity) {
        if (ringCapacity < MIN_RING_CAPACITY || !BitUtil.isPowerOfTwo(ringCapacity)) {
            throw new IllegalArgumentException(
                    "ringCapacity=" + ringCapacity + " must be a power of two of at least " + MIN_RING_CAPACITY);
        }
    }

    /**
     * Checks pool sizes.
     *
     * @throws IllegalArgumentException when the block size is not a positive multiple of a page or the
     *     block count is negative, or the pool is larger than 512 MiB
     */
    static void checkPool(int poolBlockSize, int poolBlocks) {
        if (poolBlockSize < PAGE || poolBlockSize % PAGE != 0) {
            throw new IllegalArgumentException(
                    "poolBlockSize=" + poolBlockSize + " must be a positive multiple of " + PAGE);
        }
        if (poolBlocks < 0 || (long) poolBlockSize * poolBlocks > (1L << 29)) {
            throw new IllegalArgumentException("poolBlocks=" + poolBlocks + " with poolBlockSize=" + poolBlockSize
                    + " must be non-negative and at most 512 MiB in all");
        }
    }
}
