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
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Writes messages to an MCAP file (see {@link McapDescriptor}): one channel per topic and format, the
 * message encoding is the value's MIME type, the Java type goes in the channel's metadata
 * ({@code daak.javaType}). Daak's codecs carry no schemas, so channels have schema id 0 (none).
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
 * <h2>When the disk is full</h2>
 *
 * Records are buffered and written in blocks. When a write fails, recording stops with an
 * {@link IOException} naming the file and offset; the file is cut back to the last block written whole
 * and closed with a footer, so everything before it stays readable.
 *
 * <p>Thread-safe: writes and {@link #close()} are serialised.
 */
public final class McapRecorder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(McapRecorder.class);
    private static final int BLOCK = 64 * 1024;
    private static final CodecRegistry CODECS = CodecRegistry.defaults();

    private final SeekableByteChannel out;
    private final String name;
    private final ByteBuffer buffer = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
    private final Map<ChannelKey, Integer> channels = new LinkedHashMap<>();
    private final Map<Integer, long[]> counts = new LinkedHashMap<>();
    private long committed;
    private long messages;
    private long bytes;
    private long startTime = Long.MAX_VALUE;
    private long endTime;
    private boolean closed;

    private record ChannelKey(
            String topic, String mimeType, @Nullable String javaType) {}

    /**
     * What a recording wrote.
     *
     * @param file the file name
     * @param messages messages written
     * @param bytes value bytes written
     * @param channels channels (topic and format pairs)
     */
    public record Summary(String file, long messages, long bytes, int channels) {}

    private McapRecorder(SeekableByteChannel out, String name) throws IOException {
        this.out = out;
        this.name = name;
        buffer.put(McapDescriptor.MAGIC);
        byte[] profile = utf8("");
        byte[] library = utf8("daak 0.1.0");
        ByteBuffer b = begin(McapDescriptor.HEADER, 4 + profile.length + 4 + library.length);
        putString(b, profile);
        putString(b, library);
        end(b);
        flush();
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
        FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        try {
            return new McapRecorder(ch, file.toString());
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
        return new McapRecorder(Objects.requireNonNull(channel, "channel"), Objects.requireNonNull(name, "name"));
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
        ByteBuffer b = begin(McapDescriptor.MESSAGE, McapDescriptor.MESSAGE_PREFIX_LENGTH + data.length);
        b.putShort((short) channel);
        b.putInt((int) m.sequence());
        b.putLong(m.logTimeNanos());
        b.putLong(m.publishTimeNanos());
        b.put(data);
        end(b);
        messages++;
        bytes += data.length;
        counts.get(channel)[0]++;
        startTime = Math.min(startTime, m.logTimeNanos());
        endTime = Math.max(endTime, m.logTimeNanos());
    }

    private int channel(String topic, RawValue value) throws IOException {
        ChannelKey key = new ChannelKey(topic, value.mimeType(), value.javaType());
        Integer id = channels.get(key);
        if (id != null) {
            return id;
        }
        if (channels.size() >= 0xFFFF) {
            throw new IllegalStateException("recording " + name + " has 65535 channels, the most MCAP allows");
        }
        int next = channels.size() + 1;
        channels.put(key, next);
        counts.put(next, new long[1]);
        writeChannel(next, key);
        return next;
    }

    private void writeChannel(int id, ChannelKey key) throws IOException {
        byte[] topic = utf8(key.topic());
        byte[] encoding = utf8(key.mimeType());
        byte[] k = utf8(McapDescriptor.JAVA_TYPE_KEY);
        byte[] v = key.javaType() != null ? utf8(key.javaType()) : null;
        int map = v == null ? 0 : 4 + k.length + 4 + v.length;
        ByteBuffer b = begin(McapDescriptor.CHANNEL, 2 + 2 + 4 + topic.length + 4 + encoding.length + 4 + map);
        b.putShort((short) id);
        b.putShort((short) 0);
        putString(b, topic);
        putString(b, encoding);
        b.putInt(map);
        if (v != null) {
            putString(b, k);
            putString(b, v);
        }
        end(b);
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
     * Starts a record and returns the buffer to write its content into: the block buffer when it fits
     * (writing the block out first when it is too full), else a buffer of its own. Blocks are written
     * out only between records, so the file always ends at a record boundary after a write.
     */
    private ByteBuffer begin(byte opcode, long contentLength) throws IOException {
        long total = McapDescriptor.RECORD_HEADER_LENGTH + contentLength;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a record of " + total + " bytes is too large for recording " + name);
        }
        if (buffer.remaining() < total) {
            flush();
        }
        ByteBuffer b = total <= buffer.remaining()
                ? buffer
                : ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(opcode);
        b.putLong(contentLength);
        return b;
    }

    /** Ends a record: one in a buffer of its own is written out at once. */
    private void end(ByteBuffer b) throws IOException {
        if (b != buffer) {
            b.flip();
            write(b);
        }
    }

    private static void putString(ByteBuffer b, byte[] s) {
        b.putInt(s.length);
        b.put(s);
    }

    /**
     * Writes the block out; {@link #committed} is then the end of the last record written whole.
     */
    private void flush() throws IOException {
        buffer.flip();
        try {
            write(buffer);
        } finally {
            buffer.clear();
        }
    }

    private void write(ByteBuffer b) throws IOException {
        try {
            while (b.hasRemaining()) {
                out.write(b);
            }
            committed = out.position();
        } catch (IOException e) {
            fail(e);
        }
    }

    /** A write failed: cut back to the last whole block, finish the file if there is room, stop. */
    private void fail(IOException e) throws IOException {
        closed = true;
        String finished;
        try {
            out.truncate(committed);
            out.position(committed);
            ByteBuffer tail = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            tail.put(McapDescriptor.DATA_END).putLong(4).putInt(0);
            tail.put(McapDescriptor.FOOTER)
                    .putLong(McapDescriptor.FOOTER_LENGTH)
                    .putLong(0)
                    .putLong(0)
                    .putInt(0);
            tail.put(McapDescriptor.MAGIC);
            tail.flip();
            while (tail.hasRemaining()) {
                out.write(tail);
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

    /** Finishes the file: Data End, the summary (channels, statistics), summary offsets, footer, magic. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            ByteBuffer b = begin(McapDescriptor.DATA_END, 4);
            b.putInt(0); // no CRC
            end(b);
            flush();
            long summaryStart = committed;
            for (Map.Entry<ChannelKey, Integer> c : channels.entrySet()) {
                writeChannel(c.getValue(), c.getKey());
            }
            flush();
            long statisticsStart = committed;
            int countsLength = counts.size() * 10;
            b = begin(McapDescriptor.STATISTICS, 8 + 2 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + countsLength);
            b.putLong(messages);
            b.putShort((short) 0);
            b.putInt(channels.size());
            b.putInt(0);
            b.putInt(0);
            b.putInt(0);
            b.putLong(messages == 0 ? 0 : startTime);
            b.putLong(endTime);
            b.putInt(countsLength);
            for (Map.Entry<Integer, long[]> c : counts.entrySet()) {
                b.putShort(c.getKey().shortValue());
                b.putLong(c.getValue()[0]);
            }
            end(b);
            flush();
            long offsetsStart = committed;
            summaryOffset(McapDescriptor.CHANNEL, summaryStart, statisticsStart - summaryStart);
            summaryOffset(McapDescriptor.STATISTICS, statisticsStart, offsetsStart - statisticsStart);
            b = begin(McapDescriptor.FOOTER, McapDescriptor.FOOTER_LENGTH);
            b.putLong(summaryStart);
            b.putLong(offsetsStart);
            b.putInt(0);
            end(b);
            if (buffer.remaining() < McapDescriptor.MAGIC.length) {
                flush();
            }
            buffer.put(McapDescriptor.MAGIC);
            flush();
            closed = true;
            out.close();
        } catch (IOException e) {
            log.warn("{}", e.getMessage());
        }
    }

    private void summaryOffset(byte group, long start, long length) throws IOException {
        if (length == 0) {
            return;
        }
        ByteBuffer b = begin(McapDescriptor.SUMMARY_OFFSET, 1 + 8 + 8);
        b.put(group);
        b.putLong(start);
        b.putLong(length);
        end(b);
    }

    @Override
    public String toString() {
        return "McapRecorder[" + name + ", " + messages + " messages]";
    }
}
