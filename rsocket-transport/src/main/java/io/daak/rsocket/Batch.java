package io.daak.rsocket;

import io.daak.core.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.rsocket.Payload;
import io.rsocket.util.ByteBufPayload;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Several messages in one payload: the data of a payload whose Daak fields say {@code batch: n}
 * holds {@code n} entries, each exactly what a payload of its own would carry (its metadata and its
 * data), so that one frame, one header parse and one demand unit carry many small messages. See
 * {@code docs/wire.md}, "Batches".
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                 metadata length (unsigned 32 bits)            |
 * +---------------------------------------------------------------+
 * |  metadata: composite metadata, as a single payload's ...      |
 * +---------------------------------------------------------------+
 * |                   data length (unsigned 32 bits)              |
 * +---------------------------------------------------------------+
 * |  data: the value, as a single payload's ...                   |
 * +---------------------------------------------------------------+
 * |  ... the next entry                                           |
 * </pre>
 *
 * Lengths are big-endian. Batches are an opt-in: a node sends them only to a subscriber that asked
 * (fields {@code batch} on the subscribe request, the most entries it takes in one payload; its
 * {@code request(n)} then counts messages, not payloads); a client sends them as fire-and-forget
 * publishes.
 *
 * <p>Stateless; the writer is not thread-safe.
 */
final class Batch {

    /** At most this many entries in one batch. */
    static final int MAX_ENTRIES = 256;

    /** A batch stops growing at about this many bytes; larger values travel in payloads of their own. */
    static final int MAX_BYTES = 64 * 1024;

    private Batch() {}

    /** Where one entry's parts lie in a batch's data. */
    @FunctionalInterface
    interface EntryVisitor {
        /**
         * One entry.
         *
         * @param k its position in the batch, from 0
         */
        void entry(int k, int metadataAt, int metadataLength, int dataAt, int dataLength);
    }

    /**
     * Visits the entries of a batch's data (the first {@code length} bytes of the array) in order,
     * making nothing per entry.
     * Reading a batch from an array (one bulk copy out of a network buffer) costs far less per entry
     * than reading it through a buffer's checked accessors.
     *
     * @throws IllegalArgumentException when the data does not hold exactly {@code count} well-formed
     *     entries (before any entry is visited), or what the visitor throws
     */
    static void walk(byte[] data, int length, int count, EntryVisitor visitor) {
        checkCount(count);
        int at = 0;
        for (int k = 0; k < count; k++) {
            // Lengths are unsigned: a negative int is more than any batch holds.
            int metadataLength = at + 4 <= length ? BigEndian.getInt(data, at) : -1;
            if (metadataLength < 0 || metadataLength > length - at - 4) {
                throw malformed(data, length, at, k, "metadata");
            }
            at += 4 + metadataLength;
            int dataLength = at + 4 <= length ? BigEndian.getInt(data, at) : -1;
            if (dataLength < 0 || dataLength > length - at - 4) {
                throw malformed(data, length, at, k, "data");
            }
            at += 4 + dataLength;
        }
        if (at != length) {
            throw new IllegalArgumentException("batch of " + count + " entries has " + (length - at)
                    + " bytes after its last entry (at byte " + at + ")");
        }
        at = 0;
        for (int k = 0; k < count; k++) {
            int metadataLength = BigEndian.getInt(data, at);
            int metadataAt = at + 4;
            at = metadataAt + metadataLength;
            int dataLength = BigEndian.getInt(data, at);
            int dataAt = at + 4;
            at = dataAt + dataLength;
            visitor.entry(k, metadataAt, metadataLength, dataAt, dataLength);
        }
    }

    /** What is wrong with the length of an entry's part at {@code at} (out of the hot loop). */
    private static IllegalArgumentException malformed(byte[] data, int end, int at, int entry, String what) {
        if (at + 4 > end) {
            return new IllegalArgumentException(
                    "batch entry " + entry + " is truncated before its " + what + " length (at byte " + at + ")");
        }
        long length = BigEndian.getInt(data, at) & 0xffffffffL;
        return new IllegalArgumentException("batch entry " + entry + " announces " + length + " bytes of " + what
                + " but only " + (end - at - 4) + " follow (at byte " + at + ")");
    }

    private static void checkCount(int count) {
        if (count < 1 || count > MAX_ENTRIES) {
            throw new IllegalArgumentException(
                    "fields.batch=" + count + " is out of range: a batch holds 1 to " + MAX_ENTRIES + " entries");
        }
    }

    /**
     * Splits a batch payload into one payload per entry. The batch's data is copied once into a heap
     * array that the entries share, so that entries need no reference counting of their own (and
     * cost nothing to leak detection). Entries of a compact batch ({@link CompactEntry} metadata)
     * come as {@link Delivered} payloads whose metadata is read already. Takes ownership of
     * {@code batch}: it is released here.
     *
     * @param compact whether the batch's fields say {@code compact}
     * @throws IllegalArgumentException when the batch or an entry's metadata is malformed
     */
    static List<Payload> split(Payload batch, int count, boolean compact) {
        byte[] copy;
        try {
            copy = ByteBufUtil.getBytes(batch.sliceData());
        } finally {
            batch.release();
        }
        if (compact) {
            return splitCompact(copy, count);
        }
        List<Payload> out = new ArrayList<>(count);
        walk(
                copy,
                copy.length,
                count,
                (k, metadataAt, metadataLength, dataAt, dataLength) -> out.add(ByteBufPayload.create(
                        Unpooled.wrappedBuffer(copy, dataAt, dataLength),
                        Unpooled.wrappedBuffer(copy, metadataAt, metadataLength))));
        return out;
    }

    /**
     * The entries of a compact batch's data (a copy the entries share): one pass over the array, one
     * buffer per entry (a slice of one wrapper of the whole copy, released with it by the garbage
     * collector: nothing pooled).
     */
    private static List<Payload> splitCompact(byte[] copy, int count) {
        ByteBuf whole = Unpooled.wrappedBuffer(copy);
        List<Payload> out = new ArrayList<>(count);
        walk(copy, copy.length, count, (k, metadataAt, metadataLength, dataAt, dataLength) -> {
            CompactEntry.Head head;
            try {
                String previous = k == 0 ? null : ((Delivered) out.get(k - 1)).head.topic();
                head = CompactEntry.read(copy, metadataAt, metadataLength, previous);
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException("batch entry " + k + ": " + x.getMessage(), x);
            }
            out.add(new Delivered(whole.slice(dataAt, dataLength), head));
        });
        return out;
    }

    /**
     * A delivered message from a compact batch: its data, and its metadata already read. Its data is a
     * slice of the heap copy of the batch that all its entries share. Not thread-safe.
     */
    static final class Delivered extends io.netty.util.AbstractReferenceCounted implements Payload {
        private final ByteBuf data;
        final CompactEntry.Head head;

        Delivered(ByteBuf data, CompactEntry.Head head) {
            this.data = data;
            this.head = head;
        }

        /** Its metadata as a single delivery's would read. */
        Wire.Meta meta() {
            return head.meta();
        }

        @Override
        public boolean hasMetadata() {
            return false;
        }

        @Override
        public ByteBuf sliceMetadata() {
            return Unpooled.EMPTY_BUFFER;
        }

        @Override
        public ByteBuf sliceData() {
            return data.slice();
        }

        @Override
        public ByteBuf data() {
            return data;
        }

        @Override
        public ByteBuf metadata() {
            return Unpooled.EMPTY_BUFFER;
        }

        @Override
        public Delivered retain() {
            super.retain();
            return this;
        }

        @Override
        public Delivered retain(int increment) {
            super.retain(increment);
            return this;
        }

        @Override
        public Delivered touch() {
            return this;
        }

        @Override
        public Delivered touch(Object hint) {
            return this;
        }

        @Override
        protected void deallocate() {
            // Nothing to return: the data is a slice of a heap copy that the batch's entries share
            // (never released one by one, which would free it under its siblings); the garbage
            // collector reclaims it.
        }
    }

    /** Builds the data of one batch in a heap array. Not thread-safe. */
    static final class Writer {

        private final FlatJson.Out out;
        private int count;

        /** The topic of the last compact entry written, which the next one need not repeat. */
        private @Nullable String lastTopic;

        /** Whether an entry's sender wants its result (else acknowledgements do, see WireFields.acks). */
        private boolean resultsWanted;

        /** A writer with an array of its own, for batches that are built over time. */
        Writer() {
            this.out = new FlatJson.Out(8 * 1024);
        }

        /**
         * A writer over a reusable array ({@code scratch}, reset here) for a batch that is built and
         * sent in one go on one thread: {@link #payload} copies exactly what was written, once.
         */
        Writer(FlatJson.Out scratch) {
            this.out = scratch.reset();
        }

        int count() {
            return count;
        }

        int bytes() {
            return out.size();
        }

        /** Notes that an entry's sender wants its result. */
        void wantResults() {
            resultsWanted = true;
        }

        /** Whether any entry's sender wants its result. */
        boolean resultsWanted() {
            return resultsWanted;
        }

        /** Whether another entry of about {@code size} bytes still fits. */
        boolean fits(int size) {
            return count < MAX_ENTRIES && (count == 0 || out.size() + size <= MAX_BYTES);
        }

        /**
         * Appends an entry: composite metadata written by {@link Wire#writeTo} and the value's bytes.
         *
         * @param mimeType the value's MIME type when it is not the connection's, else null
         * @param fields the entry's Daak fields, or null
         * @param value the value's bytes
         */
        void add(@Nullable String mimeType, @Nullable WireFields fields, byte[] value) {
            int lengthAt = beginMetadata();
            Wire.writeTo(out, null, mimeType, fields);
            endEntry(lengthAt, value);
        }

        /**
         * Appends a delivered message as a compact entry ({@link CompactEntry}) and its value's bytes.
         *
         * @param mimeType the value's MIME type when it is not the connection's, else null
         * @param type the value's Java type name, or null
         */
        void addCompact(Message<?> m, @Nullable String mimeType, @Nullable String type, byte[] value) {
            int lengthAt = beginMetadata();
            CompactEntry.write(out, m, mimeType, type, lastTopic);
            lastTopic = m.topic();
            endEntry(lengthAt, value);
        }

        /** Leaves room for the metadata's length; returns where it goes. */
        private int beginMetadata() {
            int lengthAt = out.size();
            out.putInt(0);
            return lengthAt;
        }

        /** Fills in the metadata's length, then appends the value. */
        private void endEntry(int lengthAt, byte[] value) {
            out.setInt(lengthAt, out.size() - lengthAt - 4);
            out.putInt(value.length);
            out.put(value);
            count++;
        }

        /** Appends an entry whose metadata and data are given as buffers (read, not released). */
        void add(@Nullable ByteBuf metadata, ByteBuf data) {
            if (metadata == null) {
                out.putInt(0);
            } else {
                out.putInt(metadata.readableBytes()).put(metadata);
            }
            out.putInt(data.readableBytes()).put(data);
            count++;
        }

        /**
         * The batch as a payload whose metadata is {@code metadata} (which must announce the count);
         * the caller owns it and this writer is spent.
         */
        Payload payload(@Nullable ByteBuf metadata) {
            // One copy into pooled direct memory: the socket writes it as it is. (A heap buffer in a
            // frame costs more: the transport gathers the frame into a new array, then copies that.)
            ByteBuf data = io.netty.buffer.ByteBufAllocator.DEFAULT.directBuffer(out.size());
            data.writeBytes(out.array(), 0, out.size());
            return ByteBufPayload.create(data, metadata);
        }

        /**
         * A new batch of this one's entries after the first {@code skip} (for sending again what was
         * not answered); this writer is left as it was.
         */
        Writer from(int skip) {
            byte[] bytes = out.array();
            int at = 0;
            for (int i = 0; i < skip; i++) {
                at += 4 + BigEndian.getInt(bytes, at);
                at += 4 + BigEndian.getInt(bytes, at);
            }
            Writer rest = new Writer();
            rest.out.put(bytes, at, out.size() - at);
            rest.count = count - skip;
            rest.resultsWanted = resultsWanted;
            return rest;
        }

        /** Abandons the batch (its memory is the garbage collector's). */
        void release() {}
    }
}
