package io.daak.benchmarks;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.Table;
import io.daak.benchmarks.capnp.CpReading;
import io.daak.benchmarks.capnp.CpRecord;
import io.daak.benchmarks.capnp.CpTag;
import io.daak.benchmarks.fbs.FbReading;
import io.daak.benchmarks.fbs.FbRecord;
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
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.capnproto.MessageBuilder;
import org.capnproto.PrimitiveList;
import org.capnproto.Serialize;
import org.capnproto.StructFactory;
import org.capnproto.StructList;
import org.capnproto.StructReader;
import org.capnproto.Text;
import org.capnproto.TextList;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode + decode + read every field of the sensor reading and the 1 KiB record, for the formats whose values are views
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

    /** Which message: {@code reading} or {@code record1k}. */
    @Param({"reading", "record1k"})
    public String message;

    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private final FlatBuffersCodec flatBuffers = new FlatBuffersCodec();
    private final CapnProtoCodec capnp = new CapnProtoCodec();

    private Table fbTable = new FbReading();
    private Class<Table> fbType = Table.class;
    private Function<ByteBuffer, Table> fbRoot = FbReading::getRootAsFbReading;
    private ToDoubleFunction<Table> fbRead = t -> 0;

    private MessageBuilder capnpMessage = new MessageBuilder();
    private StructReader capnpReader = capnpMessage.initRoot(CpReading.factory).asReader();
    private Class<StructReader> capnpType = StructReader.class;
    private StructFactory<?, ? extends StructReader> capnpFactory = CpReading.factory;
    private ToDoubleFunction<StructReader> capnpRead = r -> 0;

    /** Builds the message in both formats. */
    @Setup
    @SuppressWarnings("unchecked")
    public void setUp() {
        if (message.equals("reading")) {
            FlatBufferBuilder b = new FlatBufferBuilder(256);
            int sensor = b.createString("imu-front-left");
            int history = FbReading.createHistoryVector(b, new double[] {9.79, 9.8, 9.82});
            int unit = Tag.createTag(b, b.createString("unit"), b.createString("m/s2"));
            int frame = Tag.createTag(b, b.createString("frame"), b.createString("base_link"));
            int tags = FbReading.createTagsVector(b, new int[] {unit, frame});
            b.finish(FbReading.createFbReading(b, sensor, 9.81, 1_700_000_000_000L, history, tags));
            fbTable = FbReading.getRootAsFbReading(b.dataBuffer());
            fbType = (Class<Table>) (Class<?>) FbReading.class;
            fbRoot = FbReading::getRootAsFbReading;
            fbRead = t -> read((FbReading) t);

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
            capnpReader = r.asReader();
            capnpType = (Class<StructReader>) (Class<?>) CpReading.Reader.class;
            capnpFactory = CpReading.factory;
            capnpRead = x -> read((CpReading.Reader) x);
        } else {
            byte[] payload = new byte[768];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 31);
            }
            String[] labels = {"robot", "warehouse-7", "shift-b", "calibrated", "v2"};
            FlatBufferBuilder b = new FlatBufferBuilder(1024);
            int id = b.createString("rec-0000000001");
            int owner = b.createString("fleet-manager");
            int[] labelOffsets = new int[labels.length];
            for (int i = 0; i < labels.length; i++) {
                labelOffsets[i] = b.createString(labels[i]);
            }
            int labelVector = FbRecord.createLabelsVector(b, labelOffsets);
            int payloadVector = FbRecord.createPayloadVector(b, payload);
            b.finish(FbRecord.createFbRecord(b, id, owner, labelVector, payloadVector, 1_700_000_000_000L));
            fbTable = FbRecord.getRootAsFbRecord(b.dataBuffer());
            fbType = (Class<Table>) (Class<?>) FbRecord.class;
            fbRoot = FbRecord::getRootAsFbRecord;
            fbRead = t -> read((FbRecord) t);

            capnpMessage = new MessageBuilder();
            CpRecord.Builder r = capnpMessage.initRoot(CpRecord.factory);
            r.setId("rec-0000000001");
            r.setOwner("fleet-manager");
            TextList.Builder l = r.initLabels(labels.length);
            for (int i = 0; i < labels.length; i++) {
                l.set(i, new Text.Reader(labels[i]));
            }
            r.setPayload(payload);
            r.setCreated(1_700_000_000_000L);
            capnpReader = r.asReader();
            capnpType = (Class<StructReader>) (Class<?>) CpRecord.Reader.class;
            capnpFactory = CpRecord.factory;
            capnpRead = x -> read((CpRecord.Reader) x);
        }
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

    private static double read(FbRecord r) {
        double sum = r.id().length() + r.owner().length() + r.created();
        for (int i = 0; i < r.labelsLength(); i++) {
            sum += r.labels(i).length();
        }
        for (int i = 0; i < r.payloadLength(); i++) {
            sum += r.payload(i);
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

    private static double read(CpRecord.Reader r) {
        double sum = r.getId().toString().length() + r.getOwner().toString().length() + r.getCreated();
        TextList.Reader labels = r.getLabels();
        for (int i = 0; i < labels.size(); i++) {
            sum += labels.get(i).toString().length();
        }
        ByteBuffer payload = r.getPayload().asByteBuffer();
        while (payload.hasRemaining()) {
            sum += payload.get();
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
        ByteBuffer finished = fbTable.getByteBuffer().duplicate();
        byte[] bytes = new byte[finished.remaining()];
        finished.get(bytes);
        return fbRead.applyAsDouble(fbRoot.apply(ByteBuffer.wrap(bytes)));
    }

    /**
     * Daak's FlatBuffers codec: encode into a pooled buffer, decode (one copy, checked).
     *
     * @return the fields read
     */
    @Benchmark
    public double daakFlatBuffers() {
        ByteBuf buf = flatBuffers.encode(fbTable, fbType, allocator);
        try {
            return fbRead.applyAsDouble(flatBuffers.decode(buf, fbType));
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
        ByteBuf buf = flatBuffers.encode(fbTable, fbType, allocator);
        try (Lent<Table> lent = FlatBuffersCodec.view(buf, fbType)) {
            return fbRead.applyAsDouble(lent.value());
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
        return capnpRead.applyAsDouble(
                Serialize.read(ByteBuffer.wrap(out.toByteArray())).getRoot(capnpFactory));
    }

    /**
     * Daak's Cap'n Proto codec: encode into a pooled buffer, decode (one copy, checked).
     *
     * @return the fields read
     */
    @Benchmark
    public double daakCapnp() {
        ByteBuf buf = capnp.encode(capnpReader, capnpType, allocator);
        try {
            return capnpRead.applyAsDouble(capnp.decode(buf, capnpType));
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
        ByteBuf buf = capnp.encode(capnpReader, capnpType, allocator);
        try (Lent<StructReader> lent = CapnProtoCodec.view(buf, capnpType)) {
            return capnpRead.applyAsDouble(lent.value());
        } finally {
            buf.release();
        }
    }

    /**
     * Encoded sizes in bytes, printed by {@link RunBenchmarks}.
     *
     * @return one line per message
     */
    public static String sizes() {
        StringBuilder sb = new StringBuilder();
        for (String m : new String[] {"reading", "record1k"}) {
            ViewCodecBenchmark b = new ViewCodecBenchmark();
            b.message = m;
            b.setUp();
            ByteBuf fb = b.flatBuffers.encode(b.fbTable, b.fbType, b.allocator);
            ByteBuf cp = b.capnp.encode(b.capnpReader, b.capnpType, b.allocator);
            sb.append(String.format("%n  %-9s flatbuffers %5d   capnp %5d", m, fb.readableBytes(), cp.readableBytes()));
            fb.release();
            cp.release();
        }
        return sb.toString();
    }
}
