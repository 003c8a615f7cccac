package io.daak.rsocket;

import io.daak.core.Message;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The metadata of a delivered message inside a compact batch: what its JSON fields object would say,
 * in binary, so that neither the node nor the client writes or parses JSON per message. A subscriber
 * asks for it with fields {@code compact: true} beside {@code batch}; the node then marks each batch
 * {@code compact: true}. See {@code docs/wire.md}, "Compact entries".
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+-----------------------------------------------+
 * |     flags     |            sequence (signed 64 bits) ...      |
 * +---------------+-----------------------------------------------+
 * |  ... sequence |      timestamp, epoch milliseconds (64) ...   |
 * +---------------+-----------------------------------------------+
 * |  ... millis   |     nanoseconds within the millisecond (32)   |
 * +---------------+-----------------------------------------------+
 * | ... nanos     |            topic length (unsigned 32)         |
 * +---------------+-----------------------------------------------+
 * | ... length    |  topic, UTF-8 ...                             |
 * +---------------------------------------------------------------+
 * | flags & 1: MIME type length (32) and MIME type (US-ASCII)     |
 * | flags & 2: Java type length (32) and type name (UTF-8)        |
 * | flags & 4: the other fields (headers, sender, ...) as the     |
 * |            JSON fields object, to the end of the metadata     |
 * | flags & 8: no topic length and topic: the topic is that of    |
 * |            the previous entry of the same batch               |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * Lengths and numbers are big-endian. Stateless and thread-safe; the name caches are per thread.
 */
final class CompactEntry {

    static final int MIME = 1;
    static final int TYPE = 2;
    static final int FIELDS = 4;
    /** On a delivered entry: no topic, it is the previous entry's of the same batch. */
    static final int SAME_TOPIC = 8;

    private CompactEntry() {}

    /** A string and its bytes, kept while the same string comes again. Not thread-safe. */
    private static final class Cached {
        private @Nullable String string;
        private byte[] bytes = new byte[0];

        /** The bytes of {@code s}, encoded once while it repeats. */
        byte[] bytes(String s) {
            if (!s.equals(string)) {
                string = s;
                bytes = s.getBytes(StandardCharsets.UTF_8);
            }
            return bytes;
        }

        /** The string of {@code n} bytes at {@code at}, decoded once while they repeat. */
        String string(byte[] a, int at, int n) {
            String s = string;
            if (s == null || !Arrays.equals(a, at, at + n, bytes, 0, bytes.length)) {
                s = new String(a, at, n, StandardCharsets.UTF_8);
                string = s;
                bytes = Arrays.copyOfRange(a, at, at + n);
            }
            return s;
        }
    }

    /** The last topic, type and MIME type written or read on this thread. */
    private static final class Names {
        final Cached topic = new Cached();
        final Cached type = new Cached();
        final Cached mime = new Cached();

        /** The last published entry's metadata read that had no other fields (shared, read only). */
        Wire.@Nullable Meta plainPublish;
    }

    private static final io.netty.util.concurrent.FastThreadLocal<Names> NAMES = PerThread.of(Names::new);

    /**
     * Writes a message's compact metadata.
     *
     * @param mime the value's MIME type when it is not the connection's, else null
     * @param type the value's Java type name, or null
     * @param previousTopic the topic of the previous entry of the same batch, or null for the first
     */
    static void write(
            FlatJson.Out out,
            Message<?> m,
            @Nullable String mime,
            @Nullable String type,
            @Nullable String previousTopic) {
        io.daak.core.Fields given = m.fields();
        // The other fields, only when a message has any (most have none: nothing made per message).
        boolean fields =
                !given.headers().isEmpty() || given.sender() != null || given.priority() != 0 || given.ttl() != null;
        boolean sameTopic = previousTopic != null && previousTopic.equals(m.topic());
        out.put((char) ((mime != null ? MIME : 0)
                | (type != null ? TYPE : 0)
                | (fields ? FIELDS : 0)
                | (sameTopic ? SAME_TOPIC : 0)));
        putLong(out, m.sequence());
        putLong(out, WireFields.epochMillis(m.timestamp()));
        out.putInt(WireFields.nanosWithinMilli(m.timestamp()));
        Names names = NAMES.get();
        if (!sameTopic) {
            byte[] topic = names.topic.bytes(m.topic());
            out.putInt(topic.length).put(topic);
        }
        if (mime != null) {
            byte[] b = names.mime.bytes(mime);
            out.putInt(b.length).put(b);
        }
        if (type != null) {
            byte[] b = names.type.bytes(type);
            out.putInt(b.length).put(b);
        }
        if (fields) {
            WireFields rest = WireFields.of(given);
            rest.tsMillis = Long.MIN_VALUE; // the message's own timestamp travels in the header
            rest.tsNanos = 0;
            rest.write(out);
        }
    }

    private static void putLong(FlatJson.Out out, long v) {
        out.putInt((int) (v >>> 32)).putInt((int) v);
    }

    /**
     * Reads compact metadata.
     *
     * @param a the array holding it
     * @param from where it starts
     * @param length its length
     * @param previousTopic the topic of the previous entry of the same batch, or null for the first
     * @return what it says
     * @throws IllegalArgumentException when it is malformed, saying where
     */
    static Head read(byte[] a, int from, int length, @Nullable String previousTopic) {
        int end = from + length;
        int at = from;
        need(at, 1 + 8 + 8 + 4, end, "its header");
        int flags = a[at++] & 0xff;
        if ((flags & ~(MIME | TYPE | FIELDS | SAME_TOPIC)) != 0) {
            throw new IllegalArgumentException("compact metadata has unknown flags " + flags);
        }
        long seq = BigEndian.getLong(a, at);
        long millis = BigEndian.getLong(a, at + 8);
        int nanos = BigEndian.getInt(a, at + 16);
        at += 20;
        Names names = NAMES.get();
        String topic;
        int n;
        if ((flags & SAME_TOPIC) != 0) {
            if (previousTopic == null) {
                throw new IllegalArgumentException(
                        "compact metadata says the previous entry's topic, but it is the first");
            }
            topic = previousTopic;
        } else {
            n = length(a, at, end, "topic");
            at += 4;
            topic = names.topic.string(a, at, n);
            at += n;
        }
        String mime = null;
        if ((flags & MIME) != 0) {
            n = length(a, at, end, "MIME type");
            mime = names.mime.string(a, at + 4, n);
            at += 4 + n;
        }
        String type = null;
        if ((flags & TYPE) != 0) {
            n = length(a, at, end, "type");
            type = names.type.string(a, at + 4, n);
            at += 4 + n;
        }
        WireFields rest = null;
        if ((flags & FIELDS) != 0) {
            rest = WireFields.read(Unpooled.wrappedBuffer(a, at, end - at));
        } else if (at != end) {
            throw new IllegalArgumentException(
                    "compact metadata has " + (end - at) + " bytes after its last part (at byte " + (at - from) + ")");
        }
        return new Head(topic, seq, millis, nanos, mime, type, rest);
    }

    /**
     * A delivered message's compact metadata as read: what a subscriber needs to make its {@code
     * Message}, without a full fields object unless the message carries other fields.
     *
     * @param mime the MIME type when it is not the connection's, else null
     * @param type the Java type name, or null
     * @param rest the other fields (headers, sender, ...), or null when there are none
     */
    record Head(
            String topic,
            long seq,
            long millis,
            int nanos,
            @Nullable String mime,
            @Nullable String type,
            @Nullable WireFields rest) {

        /** The timestamp. */
        java.time.Instant timestamp() {
            return WireFields.instant(millis, nanos);
        }

        /** The fields as a single delivery's would read: the other fields, and the timestamp. */
        io.daak.core.Fields fields(java.time.Instant timestamp) {
            io.daak.core.Fields f = rest == null ? io.daak.core.Fields.none() : rest.toFields();
            return f.timestamp(timestamp);
        }

        /** The same as the metadata of a single delivery would say (a new object on each call). */
        Wire.Meta meta() {
            WireFields w = rest != null ? rest : new WireFields();
            w.name = topic;
            w.seq = seq;
            w.tsMillis = millis;
            w.tsNanos = nanos;
            w.type = type;
            return new Wire.Meta(null, mime, w);
        }
    }

    // ------------------------------------------------------------------ published entries

    /**
     * Whether a publish's fields say no more than its MIME type and Java type (most do): its compact
     * metadata is then the same bytes for every message of a topic.
     */
    private static boolean plain(WireFields f) {
        return f.headers.isEmpty() && f.sender == null && f.priority == 0 && f.ttlMillis <= 0 && f.timestamp() == null;
    }

    /** The compact metadata of one published entry, last made on this thread while it repeats. */
    private static final class PublishHead {
        private @Nullable String mime;
        private @Nullable String type;
        private byte[] bytes = new byte[0];
        private boolean made;

        byte[] bytes(@Nullable String mime, @Nullable String type) {
            if (!made || !java.util.Objects.equals(mime, this.mime) || !java.util.Objects.equals(type, this.type)) {
                FlatJson.Out out = new FlatJson.Out(16);
                writePublish(out, mime, type, null);
                bytes = Arrays.copyOf(out.array(), out.size());
                this.mime = mime;
                this.type = type;
                made = true;
            }
            return bytes;
        }
    }

    private static final io.netty.util.concurrent.FastThreadLocal<PublishHead> PUBLISH_HEAD =
            PerThread.of(PublishHead::new);

    /**
     * The compact metadata of a published entry (fields {@code compact} on a publish batch): a flags
     * byte, then the MIME type, the Java type and the other fields as the flags say, as in a delivered
     * entry but without sequence, timestamp and topic, which the node assigns or the route names.
     *
     * @param mime the value's MIME type when it is not the connection's, else null
     * @param f the entry's fields; {@code type} is the value's Java type name
     * @return a buffer the caller owns (unpooled: nothing to return to a pool)
     */
    static io.netty.buffer.ByteBuf publishMetadata(@Nullable String mime, WireFields f) {
        if (plain(f)) {
            return Unpooled.wrappedBuffer(PUBLISH_HEAD.get().bytes(mime, f.type));
        }
        FlatJson.Out out = new FlatJson.Out(64);
        writePublish(out, mime, f.type, f);
        return Unpooled.wrappedBuffer(out.array(), 0, out.size());
    }

    private static void writePublish(
            FlatJson.Out out, @Nullable String mime, @Nullable String type, @Nullable WireFields f) {
        boolean fields = f != null && !plain(f);
        out.put((char) ((mime != null ? MIME : 0) | (type != null ? TYPE : 0) | (fields ? FIELDS : 0)));
        if (mime != null) {
            byte[] b = mime.getBytes(StandardCharsets.US_ASCII);
            out.putInt(b.length).put(b);
        }
        if (type != null) {
            byte[] b = type.getBytes(StandardCharsets.UTF_8);
            out.putInt(b.length).put(b);
        }
        if (fields) {
            WireFields rest = new WireFields();
            rest.headers = f.headers;
            rest.sender = f.sender;
            rest.priority = f.priority;
            rest.ttlMillis = f.ttlMillis;
            rest.tsMillis = f.tsMillis;
            rest.tsNanos = f.tsNanos;
            rest.write(out);
        }
    }

    /**
     * Reads the compact metadata of a published entry (see {@link #publishMetadata}).
     *
     * @param a the array holding it
     * @param from where it starts in {@code a}
     * @param length its length
     * @return the MIME type and the fields (with {@code type}); read only, it may be shared
     * @throws IllegalArgumentException when it is malformed, saying where
     */
    static Wire.Meta readPublish(byte[] a, int from, int length) {
        int at = from;
        int end = from + length;
        need(at, 1, end, "its flags");
        int flags = a[at++] & 0xff;
        if ((flags & ~(MIME | TYPE | FIELDS)) != 0) {
            throw new IllegalArgumentException("compact metadata has unknown flags " + flags);
        }
        Names names = NAMES.get();
        String mime = null;
        if ((flags & MIME) != 0) {
            int n = length(a, at, end, "MIME type");
            mime = names.mime.string(a, at + 4, n);
            at += 4 + n;
        }
        String type = null;
        if ((flags & TYPE) != 0) {
            int n = length(a, at, end, "type");
            type = names.type.string(a, at + 4, n);
            at += 4 + n;
        }
        WireFields w;
        if ((flags & FIELDS) != 0) {
            w = WireFields.read(Unpooled.wrappedBuffer(a, at, end - at));
        } else if (at != end) {
            throw new IllegalArgumentException(
                    "compact metadata has " + (end - at) + " bytes after its last part (at byte " + (at - from) + ")");
        } else {
            // No other fields: the same answer as for the entry before when its types were the same
            // (the cached names are the same strings while they repeat). Callers only read it.
            Wire.Meta last = names.plainPublish;
            if (last != null && last.mimeType() == mime && last.fieldsOrEmpty().type == type) {
                return last;
            }
            w = new WireFields();
            w.type = type;
            Wire.Meta meta = new Wire.Meta(null, mime, w);
            names.plainPublish = meta;
            return meta;
        }
        w.type = type;
        return new Wire.Meta(null, mime, w);
    }

    private static void need(int at, int n, int end, String what) {
        if (at + n > end) {
            throw new IllegalArgumentException("compact metadata is truncated in " + what);
        }
    }

    private static int length(byte[] a, int at, int end, String what) {
        need(at, 4, end, "the length of its " + what);
        int n = BigEndian.getInt(a, at);
        if (n < 0 || n > end - at - 4) {
            throw new IllegalArgumentException(
                    "compact metadata announces " + n + " bytes of " + what + " but " + (end - at - 4) + " follow");
        }
        return n;
    }
}
