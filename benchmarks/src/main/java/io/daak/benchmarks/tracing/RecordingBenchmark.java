package io.daak.benchmarks.tracing;

import io.daak.core.RawValue;
import io.daak.tracing.McapRecorder;
import io.daak.tracing.RecordedMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Recording throughput: one message of {@code size} bytes written per operation to an MCAP file
 * ({@code mcapRecorder}), against writing the same bytes through a 64 KiB buffer to a file channel
 * ({@code rawFileWrite}, the baseline). MB/s = ops/us x size.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RecordingBenchmark {

    /** Payload size in bytes. */
    @Param({"1024"})
    public int size;

    private Path dir;
    private McapRecorder recorder;
    private FileChannel raw;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private RecordedMessage message;
    private byte[] payload;
    private long sequence;

    /**
     * Opens a fresh file for each.
     *
     * @throws IOException when the temporary files cannot be made
     */
    @Setup(Level.Iteration)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("daak-recording-bench");
        recorder = McapRecorder.create(dir.resolve("bench.mcap"));
        raw = FileChannel.open(dir.resolve("raw.bin"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        payload = new byte[size];
        message =
                new RecordedMessage("bench/recorded", RawValue.of(payload, "application/octet-stream", null), 0, 0, 0);
    }

    /**
     * Closes and deletes the files.
     *
     * @throws IOException when they cannot be deleted
     */
    @TearDown(Level.Iteration)
    public void tearDown() throws IOException {
        recorder.close();
        raw.close();
        Files.deleteIfExists(dir.resolve("bench.mcap"));
        Files.deleteIfExists(dir.resolve("raw.bin"));
        Files.deleteIfExists(dir);
    }

    /**
     * Daak's recorder.
     *
     * @throws IOException when writing fails
     */
    @Benchmark
    public void mcapRecorder() throws IOException {
        sequence++;
        recorder.write(new RecordedMessage(message.topic(), message.value(), sequence, sequence, sequence));
    }

    /**
     * The baseline: the bytes alone through a buffer.
     *
     * @throws IOException when writing fails
     */
    @Benchmark
    public void rawFileWrite() throws IOException {
        if (buffer.remaining() < payload.length) {
            buffer.flip();
            while (buffer.hasRemaining()) {
                raw.write(buffer);
            }
            buffer.clear();
        }
        buffer.put(payload);
    }
}
