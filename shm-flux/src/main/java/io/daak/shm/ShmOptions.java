package io.daak.shm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Sizes and timings of shm connections. The server's options decide the sizes of each connection's
 * file; a client's sizes are ignored. Immutable and thread-safe; the {@code with*} methods return copies.
 *
 * <pre>{@code
 * ShmOptions options = ShmOptions.defaults().withRingCapacity(4 << 20).withZeroCopyThreshold(256 * 1024);
 * }</pre>
 */
public final class ShmOptions {

    /** Default ring capacity per direction: 2 MiB. */
    public static final int DEFAULT_RING_CAPACITY = 2 << 20;

    /** Default pool block size: 64 KiB. */
    public static final int DEFAULT_POOL_BLOCK_SIZE = 64 * 1024;

    /** Default pool blocks per direction: 1024 (64 MiB, allocated by the kernel only when touched). */
    public static final int DEFAULT_POOL_BLOCKS = 1024;

    /** Default size from which a message travels through the pool instead of the ring: 64 KiB. */
    public static final int DEFAULT_ZERO_COPY_THRESHOLD = 64 * 1024;

    private final Path directory;
    private final int ringCapacity;
    private final int poolBlockSize;
    private final int poolBlocks;
    private final int zeroCopyThreshold;
    private final Duration spin;
    private final Duration yield;
    private final Duration handshakeTimeout;

    private ShmOptions(
            Path directory,
            int ringCapacity,
            int poolBlockSize,
            int poolBlocks,
            int zeroCopyThreshold,
            Duration spin,
            Duration yield,
            Duration handshakeTimeout) {
        this.directory = directory;
        this.ringCapacity = ringCapacity;
        this.poolBlockSize = poolBlockSize;
        this.poolBlocks = poolBlocks;
        this.zeroCopyThreshold = zeroCopyThreshold;
        this.spin = spin;
        this.yield = yield;
        this.handshakeTimeout = handshakeTimeout;
    }

    /**
     * The defaults: files in {@code /dev/shm} (the temporary directory where there is none), 2 MiB
     * rings, a 64 MiB pool of 64 KiB blocks, zero-copy from 64 KiB, 2 µs of spinning and then up to
     * 0.5 ms of yielding before an idle connection parks, 10 s for a handshake.
     *
     * @return the default options
     */
    public static ShmOptions defaults() {
        Path shm = Path.of("/dev/shm");
        Path dir =
                Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        return new ShmOptions(
                dir,
                DEFAULT_RING_CAPACITY,
                DEFAULT_POOL_BLOCK_SIZE,
                DEFAULT_POOL_BLOCKS,
                DEFAULT_ZERO_COPY_THRESHOLD,
                Duration.ofNanos(2_000),
                Duration.ofMillis(1).dividedBy(2),
                Duration.ofSeconds(10));
    }

    /**
     * The directory the server creates connection files in; should be a memory file system.
     *
     * @param directory an existing, writable directory
     * @return a copy with this directory
     */
    public ShmOptions withDirectory(Path directory) {
        return new ShmOptions(
                Objects.requireNonNull(directory, "directory"),
                ringCapacity,
                poolBlockSize,
                poolBlocks,
                zeroCopyThreshold,
                spin,
                yield,
                handshakeTimeout);
    }

    /**
     * The capacity of each direction's ring; a message up to an eighth of it travels in one record.
     *
     * @param bytes a power of two, at least 64 KiB
     * @return a copy with this capacity
     */
    public ShmOptions withRingCapacity(int bytes) {
        ConnectionFileDescriptor.checkRingCapacity(bytes);
        return new ShmOptions(
                directory, bytes, poolBlockSize, poolBlocks, zeroCopyThreshold, spin, yield, handshakeTimeout);
    }

    /**
     * The pool of each direction, from which large messages and {@link ShmChannel#loan(int) loans}
     * are allocated in whole blocks.
     *
     * @param blockSize a multiple of 4096
     * @param blocks how many; 0 turns zero-copy off
     * @return a copy with this pool
     */
    public ShmOptions withPool(int blockSize, int blocks) {
        ConnectionFileDescriptor.checkPool(blockSize, blocks);
        return new ShmOptions(
                directory, ringCapacity, blockSize, blocks, zeroCopyThreshold, spin, yield, handshakeTimeout);
    }

    /**
     * The message size from which a message is copied once into the pool and handed to the receiver
     * without a second copy; smaller ones (and larger ones when the pool is full) go through the ring.
     *
     * @param bytes at least 1
     * @return a copy with this threshold
     */
    public ShmOptions withZeroCopyThreshold(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("zeroCopyThreshold=" + bytes + " must be at least 1");
        }
        return new ShmOptions(directory, ringCapacity, poolBlockSize, poolBlocks, bytes, spin, yield, handshakeTimeout);
    }

    /**
     * How long an idle connection's I/O thread spins (holding its core) before it starts yielding. Keep
     * it short: when both ends' threads share one core, each message waits for the other side's spin
     * to end, so a round trip costs about two spin times (measured: 50 µs of spin gave 100 µs round
     * trips on a loaded 2-core machine, 2 µs gave 6 µs).
     *
     * @param spin zero or more
     * @return a copy with this spin time
     */
    public ShmOptions withSpin(Duration spin) {
        if (Objects.requireNonNull(spin, "spin").isNegative()) {
            throw new IllegalArgumentException("spin=" + spin + " must not be negative");
        }
        return new ShmOptions(
                directory, ringCapacity, poolBlockSize, poolBlocks, zeroCopyThreshold, spin, yield, handshakeTimeout);
    }

    /**
     * How long an idle connection's I/O thread keeps yielding its core after {@link #spin()} before it
     * parks. A parked thread needs a wake-up through the Unix-domain socket, which costs tens of
     * microseconds (more on a busy machine); yielding answers within microseconds while leaving the
     * core to any other runnable thread. Keep spin plus yield above two wake-ups, or a request/reply
     * exchange settles into waking the other side on every message.
     *
     * @param yield zero or more
     * @return a copy with this yield time
     */
    public ShmOptions withYield(Duration yield) {
        if (Objects.requireNonNull(yield, "yield").isNegative()) {
            throw new IllegalArgumentException("yield=" + yield + " must not be negative");
        }
        return new ShmOptions(
                directory, ringCapacity, poolBlockSize, poolBlocks, zeroCopyThreshold, spin, yield, handshakeTimeout);
    }

    /**
     * How long a handshake may take before the connection attempt fails.
     *
     * @param timeout positive
     * @return a copy with this timeout
     */
    public ShmOptions withHandshakeTimeout(Duration timeout) {
        if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout=" + timeout + " must be positive");
        }
        return new ShmOptions(
                directory, ringCapacity, poolBlockSize, poolBlocks, zeroCopyThreshold, spin, yield, timeout);
    }

    /**
     * The directory of connection files.
     *
     * @return the directory
     */
    public Path directory() {
        return directory;
    }

    /**
     * The ring capacity per direction.
     *
     * @return bytes
     */
    public int ringCapacity() {
        return ringCapacity;
    }

    /**
     * The pool block size.
     *
     * @return bytes
     */
    public int poolBlockSize() {
        return poolBlockSize;
    }

    /**
     * The pool blocks per direction.
     *
     * @return the count
     */
    public int poolBlocks() {
        return poolBlocks;
    }

    /**
     * The size from which messages travel through the pool.
     *
     * @return bytes
     */
    public int zeroCopyThreshold() {
        return zeroCopyThreshold;
    }

    /**
     * The spin time of an idle I/O thread before it parks.
     *
     * @return the spin time
     */
    public Duration spin() {
        return spin;
    }

    /**
     * The yield time of an idle I/O thread after spinning, before it parks.
     *
     * @return the yield time
     */
    public Duration yield() {
        return yield;
    }

    /**
     * The handshake timeout.
     *
     * @return the timeout
     */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    @Override
    public String toString() {
        return "ShmOptions[directory=" + directory + ", ringCapacity=" + ringCapacity + ", pool=" + poolBlocks + "x"
                + poolBlockSize + ", zeroCopyThreshold=" + zeroCopyThreshold + ", spin=" + spin + ", yield=" + yield
                + "]";
    }
}
