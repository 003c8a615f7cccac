package io.daak.tracing;

import io.daak.codec.ProtobufCodec;
import io.daak.core.RawValue;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * Reads the messages of an MCAP file in file order, streaming: Channel and Message records, also inside
 * uncompressed Chunks; other records are skipped. A truncated or corrupt file yields every message
 * before the damage, then a {@link McapFormatException} with the offset.
 *
 * <p>Not thread-safe.
 */
final class McapReader implements AutoCloseable {

    private final String name;
    private final InputStream in;
    private final long size;
    private final Map<Integer, Channel> channels = new HashMap<>();
    private long offset;
    private boolean footer;
    private long messages;
    private @Nullable InputStream chunk;
    private long chunkBase;
    private long chunkEnd;

    /** A channel: its topic and the format of its messages (a MIME type). */
    private record Channel(
            String topic, String encoding, @Nullable String javaType) {}

    McapReader(Path file) throws IOException {
        this.name = file.toString();
        this.size = Files.size(file);
        this.in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
        byte[] magic = new byte[McapDescriptor.MAGIC.length];
        int n = in.readNBytes(magic, 0, magic.length);
        if (n < magic.length || !Arrays.equals(magic, McapDescriptor.MAGIC)) {
            in.close();
            throw new McapFormatException(name + " is not an MCAP file: no MCAP magic at offset 0", 0);
        }
        offset = magic.length;
    }

    /** Messages read so far. */
    long messages() {
        return messages;
    }

    /**
     * The next message.
     *
     * @return the message, or null at the footer
     * @throws McapFormatException when the file is truncated or corrupt at the current offset
     */
    @Nullable
    RecordedMessage next() throws IOException {
        while (true) {
            if (chunk != null) {
                RecordedMessage m = nextInChunk();
                if (m != null) {
                    return m;
                }
                continue;
            }
            if (footer) {
                return null;
            }
            long at = offset;
            if (size - at < McapDescriptor.RECORD_HEADER_LENGTH) {
                throw truncated(at, "no footer: the file ends");
            }
            byte[] header = read(in, McapDescriptor.RECORD_HEADER_LENGTH, at);
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            byte op = h.get();
            long length = h.getLong();
            long contentAt = at + McapDescriptor.RECORD_HEADER_LENGTH;
            if (length < 0 || length > size - contentAt) {
                throw truncated(
                        at,
                        "the record (opcode 0x" + Integer.toHexString(op & 0xff) + ") claims " + length
                                + " bytes but only " + (size - contentAt) + " follow");
            }
            if (op == 0) {
                throw new McapFormatException(
                        name + ": corrupt record at offset " + at + " (opcode 0); " + messages
                                + " messages before it are intact",
                        at);
            }
            offset = contentAt + length;
            switch (op) {
                case McapDescriptor.CHANNEL -> channel(read(in, length, contentAt), contentAt);
                case McapDescriptor.MESSAGE -> {
                    return message(read(in, length, contentAt), contentAt);
                }
                case McapDescriptor.CHUNK -> openChunk(read(in, length, contentAt), contentAt);
                case McapDescriptor.FOOTER -> {
                    skip(in, length, contentAt);
                    footer = true;
                }
                default -> skip(in, length, contentAt);
            }
        }
    }

    private @Nullable RecordedMessage nextInChunk() throws IOException {
        InputStream c = chunk;
        long at = offset;
        if (at >= chunkEnd) {
            chunk = null;
            offset = chunkBase;
            return null;
        }
        byte[] header = read(c, McapDescriptor.RECORD_HEADER_LENGTH, at);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        byte op = h.get();
        long length = h.getLong();
        long contentAt = at + McapDescriptor.RECORD_HEADER_LENGTH;
        if (length < 0 || length > chunkEnd - contentAt) {
            throw corrupt(at, "a record in a chunk claims " + length + " bytes, beyond the chunk's end");
        }
        offset = contentAt + length;
        byte[] content = read(c, length, contentAt);
        if (op == McapDescriptor.CHANNEL) {
            channel(content, contentAt);
        } else if (op == McapDescriptor.MESSAGE) {
            return message(content, contentAt);
        }
        return null;
    }

    private void openChunk(byte[] content, long at) {
        ByteBuffer b = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
        b.getLong(); // message start time
        b.getLong(); // message end time
        b.getLong(); // uncompressed size
        long crc = Integer.toUnsignedLong(b.getInt());
        String compression = string(b, at);
        long recordsLength = b.getLong();
        if (!compression.isEmpty()) {
            throw new McapFormatException(
                    name + ": chunk at offset " + at + " is compressed with '" + compression
                            + "', which this reader does not support (write chunks uncompressed)",
                    at);
        }
        if (recordsLength < 0 || recordsLength > b.remaining()) {
            throw corrupt(at, "the chunk's records length " + recordsLength + " exceeds the chunk");
        }
        if (crc != 0) {
            CRC32 actual = new CRC32();
            actual.update(content, b.position(), (int) recordsLength);
            if (actual.getValue() != crc) {
                throw corrupt(
                        at,
                        "the chunk's CRC is " + Long.toHexString(actual.getValue()) + ", not the "
                                + Long.toHexString(crc) + " it was written with");
            }
        }
        chunkBase = offset;
        long recordsAt = at + b.position();
        chunk = new ByteArrayInputStream(content, b.position(), (int) recordsLength);
        offset = recordsAt;
        chunkEnd = recordsAt + recordsLength;
    }

    private void channel(byte[] content, long at) {
        try {
            ByteBuffer b = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
            int id = Short.toUnsignedInt(b.getShort());
            b.getShort(); // schema id
            String topic = string(b, at);
            String encoding = string(b, at);
            long mapLength = Integer.toUnsignedLong(b.getInt());
            String javaType = null;
            String mimeType = encoding.equals(McapSchema.PROTOBUF) ? ProtobufCodec.MIME_TYPE : encoding;
            int end = (int) Math.min(b.limit(), b.position() + mapLength);
            while (b.position() < end) {
                String k = string(b, at);
                String v = string(b, at);
                if (k.equals(McapDescriptor.JAVA_TYPE_KEY)) {
                    javaType = v;
                } else if (k.equals(McapDescriptor.MIME_TYPE_KEY)) {
                    mimeType = v;
                }
            }
            channels.put(id, new Channel(topic, mimeType, javaType));
        } catch (RuntimeException e) {
            throw corrupt(at, "unreadable channel record: " + e);
        }
    }

    private RecordedMessage message(byte[] content, long at) {
        if (content.length < McapDescriptor.MESSAGE_PREFIX_LENGTH) {
            throw corrupt(at, "a message record of " + content.length + " bytes is shorter than its fixed fields");
        }
        ByteBuffer b = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
        int id = Short.toUnsignedInt(b.getShort());
        long sequence = Integer.toUnsignedLong(b.getInt());
        long logTime = b.getLong();
        long publishTime = b.getLong();
        Channel c = channels.get(id);
        if (c == null) {
            throw corrupt(at, "a message refers to channel " + id + ", which no channel record defined");
        }
        byte[] data = Arrays.copyOfRange(content, McapDescriptor.MESSAGE_PREFIX_LENGTH, content.length);
        messages++;
        return new RecordedMessage(
                c.topic(),
                RawValue.of(data, c.encoding().isEmpty() ? "application/octet-stream" : c.encoding(), c.javaType()),
                sequence,
                logTime,
                publishTime);
    }

    private String string(ByteBuffer b, long at) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw corrupt(at, "a string of " + n + " bytes exceeds its record");
        }
        String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return s;
    }

    private byte[] read(InputStream from, long length, long at) throws IOException {
        byte[] b = from.readNBytes((int) length);
        if (b.length < length) {
            throw truncated(at, "the file ends inside a record");
        }
        return b;
    }

    private void skip(InputStream from, long length, long at) throws IOException {
        try {
            from.skipNBytes(length);
        } catch (EOFException e) {
            throw truncated(at, "the file ends inside a record");
        }
    }

    private McapFormatException truncated(long at, String what) {
        return new McapFormatException(
                name + " is truncated at offset " + at + ": " + what + " (file size " + size + " bytes); the "
                        + messages + " messages before it are intact",
                at);
    }

    private McapFormatException corrupt(long at, String what) {
        return new McapFormatException(
                name + " is corrupt at offset " + at + ": " + what + "; the " + messages
                        + " messages before it are intact",
                at);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
