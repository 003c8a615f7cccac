package io.daak.shm;

import java.nio.ByteBuffer;
import java.util.BitSet;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The owner's side of one direction's block pool: allocates runs of blocks for large messages and
 * loans, and reclaims runs the receiver has released (block states in {@link ConnectionFileDescriptor}).
 * Thread-safe (allocation is synchronized; the receiver's release is a single release store).
 */
final class BlockPool {

    private final UnsafeBuffer states;
    private final ByteBuffer blocks;
    private final int blockSize;
    private final int blockCount;
    private final BitSet used;
    private int[] runs = new int[16];
    private int runCount;
    private int cursor;

    BlockPool(UnsafeBuffer states, ByteBuffer blocks, int blockSize, int blockCount) {
        this.states = states;
        this.blocks = blocks;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.used = new BitSet(blockCount);
    }

    int blockSize() {
        return blockSize;
    }

    /**
     * Allocates a run of blocks holding {@code length} bytes.
     *
     * @return the first block, or -1 when no run is free (back-pressure, not an error)
     */
    synchronized int tryAllocate(int length) {
        if (blockCount == 0 || length <= 0) {
            return -1;
        }
        int n = (int) (((long) length + blockSize - 1) / blockSize);
        if (n > blockCount) {
            return -1;
        }
        reclaim();
        int first = find(cursor, n);
        if (first < 0) {
            first = find(0, n);
        }
        if (first < 0) {
            return -1;
        }
        used.set(first, first + n);
        cursor = first + n == blockCount ? 0 : first + n;
        if (runCount == runs.length) {
            runs = java.util.Arrays.copyOf(runs, runCount * 2);
        }
        runs[runCount++] = first;
        states.putIntRelease(first * Integer.BYTES, n);
        return first;
    }

    private int find(int from, int n) {
        int i = used.nextClearBit(from);
        while (i + n <= blockCount) {
            int next = used.nextSetBit(i);
            if (next < 0 || next >= i + n) {
                return i;
            }
            i = used.nextClearBit(next);
        }
        return -1;
    }

    /** Frees runs whose state the receiver (or a dropped loan) set negative. */
    private void reclaim() {
        for (int r = 0; r < runCount; ) {
            int first = runs[r];
            int state = states.getIntAcquire(first * Integer.BYTES);
            if (state < 0) {
                used.clear(first, first - state);
                states.putIntRelease(first * Integer.BYTES, 0);
                runs[r] = runs[--runCount];
            } else {
                r++;
            }
        }
    }

    /** Blocks in use after reclaiming released runs; for tests and metrics. */
    synchronized int blocksInUse() {
        reclaim();
        return used.cardinality();
    }

    /** A buffer over the run starting at {@code first}, {@code length} bytes from {@code offset}. */
    ByteBuffer slice(int first, int offset, int length) {
        return blocks.slice(first * blockSize + offset, length);
    }

    /**
     * Releases a run from the receiver's (or an unsent loan's) side: a release store of {@code -n}.
     * Idempotent only in the sense that a run must be released exactly once.
     */
    static void release(UnsafeBuffer states, int first) {
        int n = states.getIntAcquire(first * Integer.BYTES);
        if (n > 0) {
            states.putIntRelease(first * Integer.BYTES, -n);
        }
    }

    /** All blocks, as a new buffer; for tests. */
    ByteBuffer blocks() {
        return blocks.duplicate();
    }

    UnsafeBuffer states() {
        return states;
    }
}
