package io.daak.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Api;
import com.google.protobuf.Method;
import com.google.protobuf.Timestamp;
import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.RawValue;
import io.daak.core.Selector;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Recording to MCAP and replaying, with damaged files and a full disk. */
class McapTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    record Reading(String sensor, double value) {}

    /** Records three messages of three types published in process. */
    static Path recordSample(Path file) {
        try (Daak daak = Daak.local()) {
            Flux<Message<Object>> sub = daak.subscribe(Selector.of("**", Object.class), SubscribeOptions.defaults())
                    .take(3)
                    .cache();
            sub.subscribe();
            daak.publish(Topic.of("chat/room", String.class), "hello").block(WAIT);
            daak.publish(Topic.of("sensors/t1", Reading.class), new Reading("t1", 21.5))
                    .block(WAIT);
            daak.publish(Topic.of("blobs/b", byte[].class), new byte[] {1, 2, 3})
                    .block(WAIT);
            McapRecorder.Summary s = McapRecorder.record(sub, file).block(WAIT);
            assertThat(s.messages()).isEqualTo(3);
        }
        return file;
    }

    static final Timestamp TIME =
            Timestamp.newBuilder().setSeconds(1_796_512_985L).setNanos(42).build();
    static final Api API = Api.newBuilder()
            .setName("daak.Echo")
            .addMethods(Method.newBuilder().setName("Echo").setRequestTypeUrl("type.googleapis.com/daak.Q"))
            .build();

    /** Two Protocol Buffers topics (one whose .proto imports others) and a text topic, one message each but the first. */
    static Path recordProtobufSample(Path file) {
        try (Daak daak = Daak.local()) {
            Flux<Message<Object>> sub = daak.subscribe(Selector.of("**", Object.class), SubscribeOptions.defaults())
                    .take(4)
                    .cache();
            sub.subscribe();
            daak.publish(Topic.of("pb/time", Timestamp.class), TIME).block(WAIT);
            daak.publish(Topic.of("pb/api", Api.class), API).block(WAIT);
            daak.publish(Topic.of("chat/room", String.class), "hello").block(WAIT);
            daak.publish(Topic.of("pb/time", Timestamp.class), TIME).block(WAIT);
            McapRecorder.Summary s = McapRecorder.record(sub, file).block(WAIT);
            assertThat(s.messages()).isEqualTo(4);
            assertThat(s.channels()).isEqualTo(3);
        }
        return file;
    }

    @Test
    void shouldReplayProtobufValuesRecordedWithTheirSchemas() {
        Path file = recordProtobufSample(dir.resolve("proto.mcap"));
        StepVerifier.create(Replay.of(file).asFastAsPossible().messages(Object.class))
                .assertNext(m -> assertThat(m.value()).isEqualTo(TIME))
                .assertNext(m -> assertThat(m.value()).isEqualTo(API))
                .assertNext(m -> assertThat(m.value()).isEqualTo("hello"))
                .assertNext(m -> assertThat(m.value()).isEqualTo(TIME))
                .verifyComplete();
        StepVerifier.create(Replay.of(file).topics("pb/**").asFastAsPossible().recorded())
                .assertNext(r -> assertThat(r.value().mimeType()).isEqualTo("application/x-protobuf"))
                .expectNextCount(2)
                .verifyComplete();
    }

    @Test
    void shouldReplayWhatWasRecordedAsTheOriginalValues() {
        Path file = recordSample(dir.resolve("run.mcap"));
        StepVerifier.create(Replay.of(file).asFastAsPossible().messages(Object.class))
                .assertNext(m -> assertThat(m.topic() + "=" + m.value()).isEqualTo("chat/room=hello"))
                .assertNext(m -> assertThat(m.value()).isEqualTo(new Reading("t1", 21.5)))
                .assertNext(m -> assertThat((byte[]) m.value()).containsExactly(1, 2, 3))
                .verifyComplete();
        StepVerifier.create(
                        Replay.of(file).topics("sensors/**").asFastAsPossible().messages(Reading.class))
                .assertNext(m -> assertThat(m.value().value()).isEqualTo(21.5))
                .verifyComplete();
    }

    @Test
    void shouldReplayIntoAnotherEngineForItsSubscribers() {
        Path file = recordSample(dir.resolve("run.mcap"));
        try (Daak daak = Daak.local()) {
            Flux<Message<Reading>> readings = daak.subscribe(Topic.of("sensors/t1", Reading.class))
                    .take(1)
                    .cache();
            readings.subscribe();
            assertThat(Replay.of(file).asFastAsPossible().into(daak).block(WAIT))
                    .isEqualTo(3);
            assertThat(readings.blockLast(WAIT).value()).isEqualTo(new Reading("t1", 21.5));
        }
    }

    private static RecordedMessage at(String topic, String text, long seconds) {
        return new RecordedMessage(
                topic,
                RawValue.of(text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8", "java.lang.String"),
                1,
                seconds * 1_000_000_000L,
                seconds * 1_000_000_000L);
    }

    private Path timed() throws IOException {
        Path file = dir.resolve("timed.mcap");
        try (McapRecorder rec = McapRecorder.create(file)) {
            rec.write(at("a", "first", 100));
            rec.write(at("a", "second", 101));
            rec.write(at("a", "third", 104));
        }
        return file;
    }

    @Test
    void shouldKeepTheOriginalTimingScaled() throws IOException {
        Path file = timed();
        StepVerifier.withVirtualTime(
                        () -> Replay.of(file).speed(2.0).messages(String.class).map(Message::value))
                .expectSubscription()
                .expectNext("first")
                .expectNoEvent(Duration.ofMillis(499))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("second")
                .expectNoEvent(Duration.ofMillis(1499))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("third")
                .verifyComplete();
    }

    @Test
    void shouldReplayTheIntactPartOfATruncatedFileThenSayWhere() throws IOException {
        Path file = timed();
        byte[] whole = Files.readAllBytes(file);
        // Cut inside the third message: find its record by its payload.
        int third = indexOf(whole, "third".getBytes(StandardCharsets.UTF_8));
        Path cut = dir.resolve("cut.mcap");
        Files.write(cut, java.util.Arrays.copyOf(whole, third + 2));
        StepVerifier.create(
                        Replay.of(cut).asFastAsPossible().messages(String.class).map(Message::value))
                .expectNext("first", "second")
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(McapFormatException.class);
                    long offset = ((McapFormatException) e).offset();
                    assertThat(offset).isPositive().isLessThan(third);
                    assertThat(e.getMessage())
                            .contains("cut.mcap is truncated at offset " + offset)
                            .contains("the 2 messages before it are intact");
                })
                .verify(WAIT);
    }

    @Test
    void shouldReportACorruptRecordWithItsOffset() throws IOException {
        Path file = timed();
        byte[] bytes = Files.readAllBytes(file);
        int third = indexOf(bytes, "third".getBytes(StandardCharsets.UTF_8));
        int record = third - McapDescriptor.MESSAGE_PREFIX_LENGTH - 9;
        ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(record + 9, (short) 77);
        Path bad = dir.resolve("bad.mcap");
        Files.write(bad, bytes);
        StepVerifier.create(Replay.of(bad).asFastAsPossible().recorded())
                .expectNextCount(2)
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(McapFormatException.class)
                        .hasMessageContaining("bad.mcap is corrupt at offset ")
                        .hasMessageContaining("CRC")
                        .hasMessageContaining("the 2 messages before it are intact"))
                .verify(WAIT);
        Path notMcap = dir.resolve("x.mcap");
        Files.writeString(notMcap, "hello world");
        StepVerifier.create(Replay.of(notMcap).recorded())
                .expectErrorMessage(notMcap + " is not an MCAP file: no MCAP magic at offset 0")
                .verify(WAIT);
    }

    @Test
    void shouldStopOnAFullDiskAndKeepTheFinishedPartReadable() throws IOException {
        Path file = dir.resolve("full.mcap");
        byte[] payload = new byte[10_000];
        int written = 0;
        IOException failure = null;
        McapRecorder rec = McapRecorder.over(new FullDisk(file, 200_000), file.toString(), 32 * 1024);
        try {
            for (int i = 0; i < 1000; i++) {
                rec.write(new RecordedMessage("big", RawValue.of(payload, "application/octet-stream", null), i, i, i));
                written++;
            }
        } catch (IOException e) {
            failure = e;
        }
        assertThat(failure)
                .isNotNull()
                .hasMessageContaining("recording " + file + " stopped: cannot write at offset")
                .hasMessageContaining("is the disk full?")
                .hasMessageContaining("closed properly");
        assertThat(written).isLessThan(30);
        List<RecordedMessage> back =
                Replay.of(file).asFastAsPossible().recorded().collectList().block(WAIT);
        assertThat(back).isNotEmpty().hasSizeLessThanOrEqualTo(written);
        assertThat(back).allSatisfy(m -> assertThat(m.value().bytes()).hasSize(10_000));
        assertThat(back.get(back.size() - 1).sequence()).isEqualTo(back.size() - 1);
    }

    @Test
    void shouldFinishTheFileWhenTheRecordingThreadIsInterrupted() throws Exception {
        Path file = dir.resolve("interrupted.mcap");
        McapRecorder rec = McapRecorder.create(file);
        Thread writer = new Thread(() -> {
            Thread.currentThread().interrupt(); // as Reactor does to the worker of a cancelled subscription
            try {
                rec.write(at("a", "kept", 1));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            rec.close();
        });
        writer.start();
        writer.join(WAIT.toMillis());
        StepVerifier.create(Replay.of(file)
                        .asFastAsPossible()
                        .messages(String.class)
                        .map(Message::value))
                .expectNext("kept")
                .verifyComplete();
    }

    /** A file on a disk that holds {@code capacity} bytes: writes beyond fail like ENOSPC. */
    static final class FullDisk implements SeekableByteChannel {
        private final FileChannel file;
        private final long capacity;

        FullDisk(Path path, long capacity) throws IOException {
            this.file = FileChannel.open(
                    path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            this.capacity = capacity;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            long room = capacity - file.position();
            if (room <= 0) {
                throw new IOException("No space left on device");
            }
            if (src.remaining() > room) {
                ByteBuffer part = src.slice().limit((int) room);
                int n = file.write(part);
                src.position(src.position() + n);
                return n; // the next write fails
            }
            return file.write(src);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return file.read(dst);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public SeekableByteChannel position(long p) throws IOException {
            file.position(p);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public SeekableByteChannel truncate(long size) throws IOException {
            file.truncate(size);
            return this;
        }

        @Override
        public boolean isOpen() {
            return file.isOpen();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void shouldRefuseAFileThatIsNotThere() {
        assertThatThrownBy(() -> Replay.of(dir.resolve("none.mcap")).recorded().blockLast(WAIT))
                .hasMessageContaining("none.mcap");
    }
}
