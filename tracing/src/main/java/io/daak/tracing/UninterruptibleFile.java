package io.daak.tracing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;

/**
 * A file written through {@link RandomAccessFile}, whose writes, unlike a {@code FileChannel}'s, are not
 * aborted (and the file closed) when the writing thread is interrupted, as Reactor does to a worker of a
 * cancelled subscription: a recording stopped that way still gets its footer. Write-only.
 *
 * <p>Not thread-safe.
 */
final class UninterruptibleFile implements SeekableByteChannel {

    private final RandomAccessFile file;

    UninterruptibleFile(Path path) throws IOException {
        this.file = new RandomAccessFile(path.toFile(), "rw");
        file.setLength(0);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = src.remaining();
        if (src.hasArray()) {
            file.write(src.array(), src.arrayOffset() + src.position(), n);
            src.position(src.limit());
        } else {
            byte[] copy = new byte[n];
            src.get(copy);
            file.write(copy);
        }
        return n;
    }

    @Override
    public int read(ByteBuffer dst) {
        throw new UnsupportedOperationException("write-only");
    }

    @Override
    public long position() throws IOException {
        return file.getFilePointer();
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        file.seek(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return file.length();
    }

    @Override
    public SeekableByteChannel truncate(long size) throws IOException {
        file.setLength(size);
        return this;
    }

    @Override
    public boolean isOpen() {
        return file.getChannel().isOpen();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
