package io.daak.shm;

import static io.daak.shm.ConnectionFileDescriptor.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * One connection's mapped file (layout in {@link ConnectionFileDescriptor}): the header, both rings and
 * both pools. The mapping is never unmapped explicitly: buffers handed to users may still point into
 * it, so it goes when the last of them is garbage collected. Thread-safe after construction.
 */
final class ConnectionFile {

    final Path path;
    final MappedByteBuffer mapped;
    final UnsafeBuffer header;
    final int ringCapacity;
    final int poolBlockSize;
    final int poolBlocks;

    private ConnectionFile(Path path, MappedByteBuffer mapped) {
        this.path = path;
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped.slice(0, HEADER_LENGTH));
        this.ringCapacity = header.getInt(RING_CAPACITY_OFFSET);
        this.poolBlockSize = header.getInt(POOL_BLOCK_SIZE_OFFSET);
        this.poolBlocks = header.getInt(POOL_BLOCKS_OFFSET);
    }

    /**
     * Creates and maps a new file for a connection; the version is written last, with release.
     *
     * @throws UncheckedIOException when the file cannot be created
     */
    static ConnectionFile create(Path path, ShmOptions options, long serverPid, long clientPid) {
        int ring = options.ringCapacity();
        int blockSize = options.poolBlockSize();
        int blocks = options.poolBlocks();
        long length = fileLength(ring, blockSize, blocks);
        MappedByteBuffer mapped;
        try (FileChannel ch = FileChannel.open(
                path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.truncate(length);
            // Sparse: the kernel allocates pages on first touch.
            ch.write(ByteBuffer.wrap(new byte[1]), length - 1);
            mapped = ch.map(FileChannel.MapMode.READ_WRITE, 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create shm file " + path + ": " + e.getMessage(), e);
        }
        UnsafeBuffer h = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        h.putLong(MAGIC_OFFSET, MAGIC);
        h.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        h.putInt(RING_CAPACITY_OFFSET, ring);
        h.putInt(POOL_BLOCK_SIZE_OFFSET, blockSize);
        h.putInt(POOL_BLOCKS_OFFSET, blocks);
        h.putLong(pidOffset(SERVER), serverPid);
        h.putLong(pidOffset(CLIENT), clientPid);
        h.putIntRelease(VERSION_OFFSET, VERSION);
        return new ConnectionFile(path, mapped);
    }

    /**
     * Maps an existing file and checks it: magic, version, header length, sizes and file length.
     *
     * @param expectedServerPid the pid the server announced in the handshake
     * @throws IllegalStateException naming the file and what is wrong when it is foreign or corrupt
     */
    static ConnectionFile attach(Path path, long expectedServerPid) {
        MappedByteBuffer mapped;
        long size;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            size = ch.size();
            if (size < HEADER_LENGTH) {
                throw refused(path, "it is " + size + " bytes, shorter than the " + HEADER_LENGTH + "-byte header");
            }
            mapped = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open shm file " + path + ": " + e.getMessage(), e);
        }
        mapped.order(ByteOrder.nativeOrder());
        UnsafeBuffer h = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        long magic = h.getLong(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw refused(path, "magic=0x" + Long.toHexString(magic) + " is not a Daak shm file's");
        }
        int version = h.getIntAcquire(VERSION_OFFSET);
        if (version != VERSION) {
            throw refused(
                    path, "version=" + version + " but this library reads version " + VERSION + "; upgrade both sides");
        }
        if (h.getInt(HEADER_LENGTH_OFFSET) != HEADER_LENGTH) {
            throw refused(path, "headerLength=" + h.getInt(HEADER_LENGTH_OFFSET) + " (expected " + HEADER_LENGTH + ")");
        }
        int ring = h.getInt(RING_CAPACITY_OFFSET);
        int blockSize = h.getInt(POOL_BLOCK_SIZE_OFFSET);
        int blocks = h.getInt(POOL_BLOCKS_OFFSET);
        try {
            checkRingCapacity(ring);
            checkPool(blockSize, blocks);
        } catch (IllegalArgumentException e) {
            throw refused(path, e.getMessage());
        }
        long expected = fileLength(ring, blockSize, blocks);
        if (size != expected) {
            throw refused(path, "length=" + size + " but its header describes " + expected + " bytes");
        }
        long serverPid = h.getLong(pidOffset(SERVER));
        if (serverPid != expectedServerPid) {
            throw refused(path, "server pid=" + serverPid + " but the server announced pid=" + expectedServerPid);
        }
        return new ConnectionFile(path, mapped);
    }

    private static IllegalStateException refused(Path path, String why) {
        return new IllegalStateException("refusing shm file " + path + ": " + why);
    }

    /** The ring written by {@code side}. */
    OneToOneRingBuffer ring(int side) {
        // Over a slice, so that the ring's indexes are also indexes of byteBuffer().
        return new OneToOneRingBuffer(
                new UnsafeBuffer(mapped.slice((int) ringOffset(side, ringCapacity), ringCapacity + trailer())));
    }

    private static int trailer() {
        return org.agrona.concurrent.ringbuffer.RingBufferDescriptor.TRAILER_LENGTH;
    }

    /** The block states of the pool owned by {@code side}. */
    UnsafeBuffer poolStates(int side) {
        return new UnsafeBuffer(mapped.slice(
                (int) poolStatesOffset(side, ringCapacity, poolBlockSize, poolBlocks), poolStatesLength(poolBlocks)));
    }

    /** A buffer over the blocks of the pool owned by {@code side}, position 0. */
    ByteBuffer poolBlocks(int side) {
        int offset = (int) poolBlocksOffset(side, ringCapacity, poolBlockSize, poolBlocks);
        return mapped.slice(offset, poolBlockSize * poolBlocks).order(ByteOrder.nativeOrder());
    }

    /** The pid written for {@code side}. */
    long pid(int side) {
        return header.getLong(pidOffset(side));
    }

    /** Removes the file name; the mappings stay valid. */
    void unlink() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Reclaimed by the next server start in this directory.
        }
    }
}
