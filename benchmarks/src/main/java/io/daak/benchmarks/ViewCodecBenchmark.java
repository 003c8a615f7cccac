package io.daak.benchmarks;

import com.google.flatbuffers.FlatBufferBuilder;
import io.daak.benchmarks.capnp.CpReading;
import io.daak.benchmarks.capnp.CpTag;
import io.daak.benchmarks.fbs.FbReading;
import io.daak.benchmarks.fbs.Tag;
import io.daak.codec.CapnProtoCodec;
import io.daak.codec.FlatBuffersCodec;
import io.daak.codec.Lent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.concurrent.TimeUnit;
import org.capnproto.MessageBuilder;
import org.capnproto.PrimitiveList;
import org.capnproto.Serialize;
import org.capnproto.StructList;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode + decode + read every field of the sensor reading, for the formats whose values are views
 * over their bytes: FlatBuffers and Cap'n Proto. Each Daak path ({@code daak*}: copy into a pooled
 * buffer, decode with its checks; {@code daak*View}: the same but reading in place through
 * {@link Lent}) runs beside the library called directly on byte arrays ({@code direct*}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ViewCodecBenchmark {

    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private final FlatBuffersCodec flatBuffers = new FlatBuffersCodec();
    private final CapnProtoCodec capnp = new CapnProtoCodec();
    private FbReading fbReading = new FbReading();
    private MessageBuilder capnpMessage = new MessageBuilder();
    private CpReading.Reader capnpReading =
            capnpMessage.initRoot(CpReading.factory).asReader();

    /** Builds the sensor reading in both formats. */
    @Setup
    public void setUp() {
        FlatBufferBuilder b = new FlatBufferBuilder(256);
        int sensor = b.createString("imu-front-left");
        int history = FbReading.createHistoryVector(b, new double[] {9.79, 9.8, 9.82});
        int unit = Tag.createTag(b, b.createString("unit"), b.createString("m/s2"));
        int frame = Tag.createTag(b, b.createString("frame"), b.createString("base_link"));
        int tags = FbReading.createTagsVector(b, new int[] {unit, frame});
        b.finish(FbReading.createFbReading(b, sensor, 9.81, 1_700_000_000_000L, history, tags));
        fbReading = FbReading.getRootAsFbReading(b.dataBuffer());

        capnpMessage = new MessageBuilder();
        CpReading.Builder r = capnpMessage.initRoot(CpReading.factory);
        r.setSensor("imu-front-left");
        r.setValue(9.81);
        r.setTimestamp(1_700_000_000_000L);
        PrimitiveList.Double.Builder h = r.initHistory(3);
        h.set(0, 9.79);
        h.set(1, 9.8);
        h.set(2, 9.82);
        StructList.Builder<CpTag.Builder> t = r.initTags(2);
        t.get(0).setKey("unit");
        t.get(0).setValue("m/s2");
        t.get(1).setKey("frame");
        t.get(1).setValue("base_link");
        capnpReading = r.asReader();
    }

    private static double read(FbReading r) {
        double sum = r.sensor().length() + r.value() + r.timestamp();
        for (int i = 0; i < r.historyLength(); i++) {
            sum += r.history(i);
        }
        for (int i = 0; i < r.tagsLength(); i++) {
            sum += r.tags(i).key().length() + r.tags(i).value().length();
        }
        return sum;
    }

    private static double read(CpReading.Reader r) {
        double sum = r.getSensor().toString().length() + r.getValue() + r.getTimestamp();
        PrimitiveList.Double.Reader h = r.getHistory();
        for (int i = 0; i < h.size(); i++) {
            sum += h.get(i);
        }
        StructList.Reader<CpTag.Reader> tags = r.getTags();
        for (int i = 0; i < tags.size(); i++) {
            sum += tags.get(i).getKey().toString().length()
                    + tags.get(i).getValue().toString().length();
        }
        return sum;
    }

    /**
     * FlatBuffers directly: the finished bytes copied to an array and read back.
     *
     * @return the fields read
     */
    @Benchmark
    public double directFlatBuffers() {
        ByteBuffer finished = fbReading.getByteBuffer().duplicate();
        byte[] bytes = new byte[finished.remaining()];
        finished.get(bytes);
        return read(FbReading.getRootAsFbReading(ByteBuffer.wrap(bytes)));
    }

    /**
     * Daak's FlatBuffers codec: encode into a pooled buffer, decode (one copy, checked).
     *
     * @return the fields read
     */
    @Benchmark
    public double daakFlatBuffers() {
        ByteBuf buf = flatBuffers.encode(fbReading, FbReading.class, allocator);
        try {
            return read(flatBuffers.decode(buf, FbReading.class));
        } finally {
            buf.release();
        }
    }

    /**
     * Daak's FlatBuffers codec reading in place.
     *
     * @return the fields read
     */
    @Benchmark
    public double daakFlatBuffersView() {
        ByteBuf buf = flatBuffers.encode(fbReading, FbReading.class, allocator);
        try (Lent<FbReading> lent = FlatBuffersCodec.view(buf, FbReading.class)) {
            return read(lent.value());
        } finally {
            buf.release();
        }
    }

    /**
     * Cap'n Proto directly: the message written to an array and read back.
     *
     * @return the fields read
     * @throws IOException never for these values
     */
    @Benchmark
    public double directCapnp() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        Serialize.write(Channels.newChannel(out), capnpMessage);
        return read(Serialize.read(ByteBuffer.wrap(out.toByteArray())).getRoot(CpReading.factory));
    }

    /**
     * Daak's Cap'n Proto codec: encode into a pooled buffer, decode (one copy, checked).
     *
     * @return the fields read
     */
    @Benchmark
    public double daakCapnp() {
        ByteBuf buf = capnp.encode(capnpReading, CpReading.Reader.class, allocator);
        try {
            return read(capnp.decode(buf, CpReading.Reader.class));
        } finally {
            buf.release();
        }
    }

    /**
     * Daak's Cap'n Proto codec reading in place.
     *
     * @return the fields read
     */
    @Benchmark
    public double daakCapnpView() {
        ByteBuf buf = capnp.encode(capnpReading, CpReading.Reader.class, allocator);
        try (Lent<CpReading.Reader> lent = CapnProtoCodec.view(buf, CpReading.Reader.class)) {
            return read(lent.value());
        } finally {
            buf.release();
        }
    }
}
