package io.daak.tracing;

import java.nio.charset.StandardCharsets;

/**
 * The parts of the MCAP format (https://mcap.dev/spec, version 0) that Daak writes and reads. All
 * integers are little-endian; a string is a uint32 byte length and UTF-8; a map is a uint32 byte length
 * and its key/value strings.
 *
 * <pre>
 * file:    magic | record* | magic
 * record:  opcode uint8 | length uint64 | content (length bytes)
 *
 * written: magic, Header,
 *          { Chunk(records: { Schema (first use of a format with one) | Channel (first use of a
 *                             topic/format) | Message }*), Message Index* }*,
 *          Data End, summary: Schema*, Channel*, Statistics, Chunk Index*; Summary Offset*, Footer, magic
 *
 * Message content:
 *  0      2        6           14              22
 *  +------+--------+-----------+---------------+--------------------+
 *  |chan  |sequence| log_time  | publish_time  | data (the rest)    |
 *  |uint16|uint32  | uint64 ns | uint64 ns     |                    |
 *  +------+--------+-----------+---------------+--------------------+
 * </pre>
 */
final class McapDescriptor {

    private McapDescriptor() {}

    /** The magic at both ends: {@code 0x89 M C A P 0 \r \n}. */
    static final byte[] MAGIC = {(byte) 0x89, 'M', 'C', 'A', 'P', '0', '\r', '\n'};

    static final int RECORD_HEADER_LENGTH = 9;

    static final byte HEADER = 0x01;
    static final byte FOOTER = 0x02;
    static final byte SCHEMA = 0x03;
    static final byte CHANNEL = 0x04;
    static final byte MESSAGE = 0x05;
    static final byte CHUNK = 0x06;
    static final byte MESSAGE_INDEX = 0x07;
    static final byte CHUNK_INDEX = 0x08;
    static final byte DATA_END = 0x0F;
    static final byte STATISTICS = 0x0B;
    static final byte SUMMARY_OFFSET = 0x0E;

    /** Footer content: summary_start, summary_offset_start (uint64), summary_crc (uint32). */
    static final int FOOTER_LENGTH = 20;

    /** The fixed part of a Message record's content, before the data. */
    static final int MESSAGE_PREFIX_LENGTH = 22;

    /** Channel metadata key holding the Java class of the values, when the sender said. */
    static final String JAVA_TYPE_KEY = "daak.javaType";

    /** Channel metadata key holding the values' MIME type when the message encoding is MCAP's name for it. */
    static final String MIME_TYPE_KEY = "daak.mimeType";

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
