package io.daak.tracing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file channel whose writes survive an interrupt of the writing thread, as Reactor interrupts the
 * worker of a cancelled subscription. A plain {@code FileChannel} aborts the write and closes itself, so
 * a recording stopped that way would lose its footer. Here the interrupt flag is put aside during each
 * operation (and restored after), and an interrupt that still lands mid-write reopens the file and
 * writes again at the same position. Write-only.
 *
 * <p>Not thread-safe.
 */
final class UninterruptibleFile implements SeekableByteChannel {

    private final Path path;
    private FileChannel channel;
    private long position;

    UninterruptibleFile(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(
                path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int start = src.position();
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 0; ; attempt++) {
                try {
                    channel.position(position);
                    while (src.hasRemaining()) {
                        channel.write(src);
                    }
                    int n = src.position() - start;
                    position += n;
                    return n;
                } catch (ClosedByInterruptException e) {
                    interrupted |= Thread.interrupted();
                    if (attempt > 0) {
                        throw e;
                    }
                    channel = FileChannel.open(path, StandardOpenOption.WRITE);
                    src.position(start);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public int read(ByteBuffer dst) {
        throw new UnsupportedOperationException("write-only");
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public SeekableByteChannel truncate(long size) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            channel.truncate(size);
            position = Math.min(position, size);
            return this;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
