package io.daak.tracing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A growable little-endian buffer that MCAP records are built in: {@link #begin} writes the opcode and
 * a placeholder length, {@link #end} fills the length in.
 *
 * <p>Not thread-safe.
 */
final class RecordBuffer {

    private ByteBuffer b;

    RecordBuffer(int capacity) {
        b = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Starts a record; returns its position for {@link #end}. */
    int begin(byte opcode) {
        ensure(McapDescriptor.RECORD_HEADER_LENGTH);
        int at = b.position();
        b.put(opcode);
        b.putLong(0);
        return at;
    }

    /** Ends the record started at {@code at}: writes its content length. */
    void end(int at) {
        b.putLong(at + 1, (long) b.position() - at - McapDescriptor.RECORD_HEADER_LENGTH);
    }

    RecordBuffer u8(int v) {
        ensure(1);
        b.put((byte) v);
        return this;
    }

    RecordBuffer u16(int v) {
        ensure(2);
        b.putShort((short) v);
        return this;
    }

    RecordBuffer u32(long v) {
        ensure(4);
        b.putInt((int) v);
        return this;
    }

    RecordBuffer u64(long v) {
        ensure(8);
        b.putLong(v);
        return this;
    }

    RecordBuffer bytes(byte[] v) {
        return bytes(v, 0, v.length);
    }

    RecordBuffer bytes(byte[] v, int offset, int length) {
        ensure(length);
        b.put(v, offset, length);
        return this;
    }

    /** A string: uint32 length, then the UTF-8 bytes. */
    RecordBuffer string(byte[] utf8) {
        return u32(utf8.length).bytes(utf8);
    }

    int position() {
        return b.position();
    }

    /** The backing array; the content is {@code [0, position())}. */
    byte[] array() {
        return b.array();
    }

    /** A read view of the content, for writing out; valid until the next change. */
    ByteBuffer content() {
        return ByteBuffer.wrap(b.array(), 0, b.position());
    }

    void clear() {
        b.clear();
    }

    private void ensure(int n) {
        if (b.remaining() < n) {
            long want = Math.max((long) b.capacity() * 2, (long) b.position() + n);
            if (want > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("a record buffer cannot grow to " + want + " bytes");
            }
            ByteBuffer bigger = ByteBuffer.allocate((int) want).order(ByteOrder.LITTLE_ENDIAN);
            b.flip();
            bigger.put(b);
            b = bigger;
        }
    }
}
