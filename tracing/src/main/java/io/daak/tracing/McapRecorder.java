package io.daak.tracing;

import static io.daak.tracing.McapDescriptor.utf8;

import io.daak.codec.CodecRegistry;
import io.daak.core.Codec;
import io.daak.core.Message;
import io.daak.core.RawValue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Writes messages to an MCAP file (see {@link McapDescriptor}): one channel per topic and format, the
 * message encoding is the value's MIME type, the Java type goes in the channel's metadata
 * ({@code daak.javaType}).
 *
 * <p>Channels have a schema where the codec has one: Protocol Buffers values whose class is on the
 * class path get a {@code protobuf} schema (the message's full name and the {@code FileDescriptorSet} of
 * its {@code .proto} file with its imports), and their channel's message encoding is MCAP's well-known
 * {@code protobuf}, the MIME type then being in the metadata ({@code daak.mimeType}). Other channels have
 * schema id 0 (none).
 *
 * <pre>{@code
 * // record until disposed; the file is finished (summary, footer) when the recording ends or is disposed
 * Disposable recording = McapRecorder.record(
 *         daak.subscribe(Selector.of("sensors/**", RawValue.class)), Path.of("run.mcap"))
 *     .subscribe(stats -> log.info("recorded {}", stats));
 * ...
 * recording.dispose();
 * }</pre>
 *
 * <p>Messages are written in uncompressed chunks (256 KiB, or one second of traffic) with a CRC and
 * message indexes, and the summary has chunk indexes, so indexed MCAP readers can seek by time.
 *
 * <h2>When the disk is full</h2>
 *
 * Each chunk is written with one write. When a write fails, recording stops with an
 * {@link IOException} naming the file and offset; the file is cut back to the last chunk written whole
 * and closed with a footer, so everything before it stays readable.
 *
 * <p>Thread-safe: writes and {@link #close()} are serialised.
 */
public final class McapRecorder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(McapRecorder.class);
    private static final CodecRegistry CODECS = CodecRegistry.defaults();

    /** A chunk is written out when its records reach this size... */
    static final int CHUNK_SIZE = 256 * 1024;

    /** ...or when its first message is this old (by log time), so slow topics reach the disk too. */
    private static final long CHUNK_AGE_NANOS = 1_000_000_000L;

    private final SeekableByteChannel out;
    private final String name;
    private final int chunkSize;
    private final Map<ChannelKey, Integer> channels = new LinkedHashMap<>();
    /** Schema id by format and Java type (0: none), and the schemas written, by id. */
    private final Map<SchemaKey, Integer> schemaIds = new LinkedHashMap<>();

    private final Map<Integer, McapSchema> schemas = new LinkedHashMap<>();
    private final Map<Integer, long[]> counts = new LinkedHashMap<>();
    private final List<ChunkIndex> chunkIndexes = new ArrayList<>();
    private final RecordBuffer records;
    private final RecordBuffer block;
    /** Per channel of the current chunk: pairs of (log time, offset of the message in the chunk). */
    private final Map<Integer, LongPairs> messageIndexes = new TreeMap<>();

    private long chunkStartTime = Long.MAX_VALUE;
    private long chunkEndTime;
    private long committed;
    private long messages;
    private long bytes;
    private long startTime = Long.MAX_VALUE;
    private long endTime;
    private boolean closed;

    private record ChannelKey(
            String topic, String mimeType, @Nullable String javaType) {}

    private record SchemaKey(String mimeType, @Nullable String javaType) {}

    /** Where a chunk and its message indexes are, for the summary's Chunk Index records. */
    private record ChunkIndex(
            long startTime,
            long endTime,
            long offset,
            long length,
            Map<Integer, Long> messageIndexOffsets,
            long messageIndexLength,
            long size) {}

    /** A growable list of (long, long) pairs. Not thread-safe. */
    private static final class LongPairs {
        long[] values = new long[16];
        int size;

        void add(long a, long b) {
            if (size + 2 > values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[size++] = a;
            values[size++] = b;
        }

        /** Sorted by the first of each pair (log time), stable. */
        long[][] sorted() {
            long[][] pairs = new long[size / 2][];
            for (int i = 0; i < pairs.length; i++) {
                pairs[i] = new long[] {values[2 * i], values[2 * i + 1]};
            }
            Arrays.sort(pairs, Comparator.comparingLong(p -> p[0]));
            return pairs;
        }
    }

    /**
     * What a recording wrote.
     *
     * @param file the file name
     * @param messages messages written
     * @param bytes value bytes written
     * @param channels channels (topic and format pairs)
     */
    public record Summary(String file, long messages, long bytes, int channels) {}

    private McapRecorder(SeekableByteChannel out, String name, int chunkSize) throws IOException {
        this.out = out;
        this.name = name;
        this.chunkSize = chunkSize;
        this.records = new RecordBuffer(Math.min(chunkSize, 64 * 1024) + 1024);
        this.block = new RecordBuffer(Math.min(chunkSize, 64 * 1024) + 4096);
        block.bytes(McapDescriptor.MAGIC);
        int at = block.begin(McapDescriptor.HEADER);
        block.string(utf8("")).string(utf8("daak 0.1.0"));
        block.end(at);
        writeBlock();
    }

    /**
     * Creates (or replaces) a recording file.
     *
     * @param file the path
     * @return the recorder; close it to finish the file
     * @throws IOException when the file cannot be created
     */
    public static McapRecorder create(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        SeekableByteChannel ch = new UninterruptibleFile(file);
        try {
            return new McapRecorder(ch, file.toString(), CHUNK_SIZE);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * A recorder over any empty seekable channel (a file, or a test double).
     *
     * @param channel where to write, positioned at 0; closed by {@link #close()}
     * @param name the name used in messages
     * @return the recorder
     * @throws IOException when the header cannot be written
     */
    public static McapRecorder over(SeekableByteChannel channel, String name) throws IOException {
        return over(channel, name, CHUNK_SIZE);
    }

    /** A recorder with another chunk size, for tests. */
    static McapRecorder over(SeekableByteChannel channel, String name, int chunkSize) throws IOException {
        return new McapRecorder(
                Objects.requireNonNull(channel, "channel"), Objects.requireNonNull(name, "name"), chunkSize);
    }

    /**
     * Records a stream of messages until it ends or the result is cancelled, then finishes the file.
     * Values are stored as they are encoded: {@link RawValue}s (subscribe remotely with
     * {@code RawValue.class}) as they came, other values with the default codec for their type. The file
     * is written on a {@code boundedElastic} thread, never on the caller's.
     *
     * @param messages the messages, e.g. a subscription
     * @param file where to write
     * @return the summary when the stream ends; an error when writing fails (the file is then finished
     *     with what was written whole)
     */
    public static Mono<Summary> record(Flux<? extends Message<?>> messages, Path file) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(file, "file");
        return Mono.usingWhen(
                Mono.fromCallable(() -> create(file)).subscribeOn(Schedulers.boundedElastic()),
                rec -> messages.publishOn(Schedulers.boundedElastic(), 256)
                        .doOnNext(m -> {
                            try {
                                rec.write(m);
                            } catch (IOException e) {
                                throw reactor.core.Exceptions.propagate(e);
                            }
                        })
                        .then(Mono.fromCallable(rec::summary)),
                rec -> Mono.fromRunnable(rec::close).subscribeOn(Schedulers.boundedElastic()),
                (rec, e) -> Mono.fromRunnable(rec::close).subscribeOn(Schedulers.boundedElastic()),
                rec -> Mono.fromRunnable(rec::close).subscribeOn(Schedulers.boundedElastic()));
    }

    /**
     * Writes one message as received now.
     *
     * @param m the message; its value is encoded unless it is a {@link RawValue}
     * @throws IOException when writing fails; the recorder is then closed
     */
    public void write(Message<?> m) throws IOException {
        Instant now = Instant.now();
        write(new RecordedMessage(
                m.topic(),
                raw(m.topic(), m.value(), m.mimeType()),
                m.sequence(),
                now.getEpochSecond() * 1_000_000_000L + now.getNano(),
                m.timestampNanos()));
    }

    /** The value as bytes: raw values as they are, others with the default codec for their class. */
    static RawValue raw(String topic, Object value, @Nullable String mimeType) {
        if (value instanceof RawValue r) {
            return r;
        }
        Codec codec = mimeType != null ? CODECS.find(mimeType).orElse(null) : null;
        if (codec == null || !codec.supports(value.getClass())) {
            codec = CODECS.forType(value.getClass());
        }
        @SuppressWarnings("unchecked")
        Class<Object> type = (Class<Object>) value.getClass();
        ByteBuf buf = codec.encode(value, type, ByteBufAllocator.DEFAULT);
        try {
            return RawValue.of(ByteBufUtil.getBytes(buf), codec.mimeType(), type.getName());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("topic '" + topic + "': cannot encode " + type.getName(), e);
        } finally {
            buf.release();
        }
    }

    /**
     * Writes one recorded message.
     *
     * @param m the message
     * @throws IOException when writing fails; the recorder is then closed
     */
    public synchronized void write(RecordedMessage m) throws IOException {
        if (closed) {
            throw new IllegalStateException("recording " + name + " is closed");
        }
        int channel = channel(m.topic(), m.value());
        byte[] data = m.value().bytes();
        int at = records.begin(McapDescriptor.MESSAGE);
        records.u16(channel)
                .u32(m.sequence())
                .u64(m.logTimeNanos())
                .u64(m.publishTimeNanos())
                .bytes(data);
        records.end(at);
        messageIndexes.computeIfAbsent(channel, c -> new LongPairs()).add(m.logTimeNanos(), at);
        chunkStartTime = Math.min(chunkStartTime, m.logTimeNanos());
        chunkEndTime = Math.max(chunkEndTime, m.logTimeNanos());
        messages++;
        bytes += data.length;
        counts.get(channel)[0]++;
        startTime = Math.min(startTime, m.logTimeNanos());
        endTime = Math.max(endTime, m.logTimeNanos());
        if (records.position() >= chunkSize || m.logTimeNanos() - chunkStartTime >= CHUNK_AGE_NANOS) {
            writeChunk();
        }
    }

    private int channel(String topic, RawValue value) {
        ChannelKey key = new ChannelKey(topic, value.mimeType(), value.javaType());
        Integer id = channels.get(key);
        if (id != null) {
            return id;
        }
        if (channels.size() >= 0xFFFF) {
            throw new IllegalStateException("recording " + name + " has 65535 channels, the most MCAP allows");
        }
        int schema = schema(key.mimeType(), key.javaType());
        int next = channels.size() + 1;
        channels.put(key, next);
        counts.put(next, new long[1]);
        channelRecord(records, next, key, schemas.get(schema)); // in the chunk, before its first message
        return next;
    }

    /** The schema id of a format and Java type, writing the schema into the chunk when it is new; 0: none. */
    private int schema(String mimeType, @Nullable String javaType) {
        SchemaKey key = new SchemaKey(mimeType, javaType);
        Integer id = schemaIds.get(key);
        if (id != null) {
            return id;
        }
        McapSchema schema = McapSchema.of(mimeType, javaType).orElse(null);
        int next = schema == null || schemas.size() >= 0xFFFE ? 0 : schemas.size() + 1;
        schemaIds.put(key, next);
        if (next != 0) {
            schemas.put(next, schema);
            schemaRecord(records, next, schema);
        }
        return next;
    }

    private static void schemaRecord(RecordBuffer b, int id, McapSchema schema) {
        int at = b.begin(McapDescriptor.SCHEMA);
        b.u16(id).string(utf8(schema.name())).string(utf8(schema.encoding())).string(schema.data());
        b.end(at);
    }

    private void channelRecord(RecordBuffer b, int id, ChannelKey key, @Nullable McapSchema schema) {
        int schemaId = schema == null ? 0 : schemaIds.get(new SchemaKey(key.mimeType(), key.javaType()));
        // With a protobuf schema, MCAP readers expect the well-known message encoding; the MIME type is kept.
        String encoding = schema == null ? key.mimeType() : schema.encoding();
        Map<String, String> metadata = new LinkedHashMap<>();
        if (key.javaType() != null) {
            metadata.put(McapDescriptor.JAVA_TYPE_KEY, key.javaType());
        }
        if (!encoding.equals(key.mimeType())) {
            metadata.put(McapDescriptor.MIME_TYPE_KEY, key.mimeType());
        }
        int at = b.begin(McapDescriptor.CHANNEL);
        b.u16(id).u16(schemaId).string(utf8(key.topic())).string(utf8(encoding));
        long length = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            length += 8 + utf8(e.getKey()).length + utf8(e.getValue()).length;
        }
        b.u32(length);
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            b.string(utf8(e.getKey())).string(utf8(e.getValue()));
        }
        b.end(at);
    }

    /**
     * What was written so far.
     *
     * @return the summary
     */
    public synchronized Summary summary() {
        return new Summary(name, messages, bytes, channels.size());
    }

    /**
     * Writes the current chunk (uncompressed, with its CRC) and its message indexes in one write, so the
     * file always ends at a chunk boundary.
     */
    private void writeChunk() throws IOException {
        int size = records.position();
        if (size == 0) {
            return;
        }
        CRC32 crc = new CRC32();
        crc.update(records.array(), 0, size);
        block.clear();
        int at = block.begin(McapDescriptor.CHUNK);
        block.u64(chunkStartTime)
                .u64(chunkEndTime)
                .u64(size)
                .u32(crc.getValue())
                .string(new byte[0])
                .u64(size);
        block.bytes(records.array(), 0, size);
        block.end(at);
        long chunkOffset = committed;
        long chunkLength = block.position();
        Map<Integer, Long> indexOffsets = new LinkedHashMap<>();
        for (Map.Entry<Integer, LongPairs> e : messageIndexes.entrySet()) {
            indexOffsets.put(e.getKey(), chunkOffset + block.position());
            long[][] pairs = e.getValue().sorted();
            int index = block.begin(McapDescriptor.MESSAGE_INDEX);
            block.u16(e.getKey()).u32(pairs.length * 16L);
            for (long[] p : pairs) {
                block.u64(p[0]).u64(p[1]);
            }
            block.end(index);
        }
        long indexLength = block.position() - chunkLength;
        writeBlock();
        chunkIndexes.add(new ChunkIndex(
                chunkStartTime, chunkEndTime, chunkOffset, chunkLength, indexOffsets, indexLength, size));
        records.clear();
        messageIndexes.clear();
        chunkStartTime = Long.MAX_VALUE;
        chunkEndTime = 0;
    }

    /** Writes the block out; {@link #committed} is then the end of what was written whole. */
    private void writeBlock() throws IOException {
        ByteBuffer b = block.content();
        try {
            while (b.hasRemaining()) {
                out.write(b);
            }
            committed = out.position();
        } catch (IOException e) {
            fail(e);
        } finally {
            block.clear();
        }
    }

    /** A write failed: cut back to the last whole chunk, finish the file if there is room, stop. */
    private void fail(IOException e) throws IOException {
        closed = true;
        String finished;
        try {
            out.truncate(committed);
            out.position(committed);
            RecordBuffer tail = new RecordBuffer(64);
            int at = tail.begin(McapDescriptor.DATA_END);
            tail.u32(0);
            tail.end(at);
            at = tail.begin(McapDescriptor.FOOTER);
            tail.u64(0).u64(0).u32(0);
            tail.end(at);
            tail.bytes(McapDescriptor.MAGIC);
            ByteBuffer b = tail.content();
            while (b.hasRemaining()) {
                out.write(b);
            }
            finished = "closed properly";
        } catch (IOException again) {
            e.addSuppressed(again);
            finished = "cut at offset " + committed + " (readers report it as truncated there)";
        } finally {
            try {
                out.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
        throw new IOException(
                "recording " + name + " stopped: cannot write at offset " + committed + " (" + e.getMessage()
                        + "; is the disk full?); the file holds the messages written before and is " + finished,
                e);
    }

    /**
     * Finishes the file: the last chunk, Data End, the summary (channels, statistics, chunk indexes),
     * summary offsets, footer and magic.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            writeChunk();
            int at = block.begin(McapDescriptor.DATA_END);
            block.u32(0); // no CRC of the data section
            block.end(at);
            long summaryStart = committed + block.position();
            for (Map.Entry<Integer, McapSchema> schema : schemas.entrySet()) {
                schemaRecord(block, schema.getKey(), schema.getValue());
            }
            long channelsStart = committed + block.position();
            for (Map.Entry<ChannelKey, Integer> c : channels.entrySet()) {
                ChannelKey key = c.getKey();
                channelRecord(
                        block,
                        c.getValue(),
                        key,
                        schemas.get(schemaIds.get(new SchemaKey(key.mimeType(), key.javaType()))));
            }
            long statisticsStart = committed + block.position();
            at = block.begin(McapDescriptor.STATISTICS);
            block.u64(messages)
                    .u16(schemas.size())
                    .u32(channels.size())
                    .u32(0)
                    .u32(0)
                    .u32(chunkIndexes.size());
            block.u64(messages == 0 ? 0 : startTime).u64(endTime);
            block.u32(counts.size() * 10L);
            for (Map.Entry<Integer, long[]> c : counts.entrySet()) {
                block.u16(c.getKey()).u64(c.getValue()[0]);
            }
            block.end(at);
            long chunkIndexStart = committed + block.position();
            for (ChunkIndex c : chunkIndexes) {
                at = block.begin(McapDescriptor.CHUNK_INDEX);
                block.u64(c.startTime()).u64(c.endTime()).u64(c.offset()).u64(c.length());
                block.u32(c.messageIndexOffsets().size() * 10L);
                for (Map.Entry<Integer, Long> o : c.messageIndexOffsets().entrySet()) {
                    block.u16(o.getKey()).u64(o.getValue());
                }
                block.u64(c.messageIndexLength())
                        .string(new byte[0])
                        .u64(c.size())
                        .u64(c.size());
                block.end(at);
            }
            long offsetsStart = committed + block.position();
            summaryOffset(McapDescriptor.SCHEMA, summaryStart, channelsStart - summaryStart);
            summaryOffset(McapDescriptor.CHANNEL, channelsStart, statisticsStart - channelsStart);
            summaryOffset(McapDescriptor.STATISTICS, statisticsStart, chunkIndexStart - statisticsStart);
            summaryOffset(McapDescriptor.CHUNK_INDEX, chunkIndexStart, offsetsStart - chunkIndexStart);
            at = block.begin(McapDescriptor.FOOTER);
            block.u64(summaryStart).u64(offsetsStart).u32(0);
            block.end(at);
            block.bytes(McapDescriptor.MAGIC);
            writeBlock();
            closed = true;
            out.close();
        } catch (IOException e) {
            log.warn("{}", e.getMessage());
        }
    }

    private void summaryOffset(byte group, long start, long length) {
        if (length == 0) {
            return;
        }
        int at = block.begin(McapDescriptor.SUMMARY_OFFSET);
        block.u8(group).u64(start).u64(length);
        block.end(at);
    }

    @Override
    public String toString() {
        return "McapRecorder[" + name + ", " + messages + " messages]";
    }
}
