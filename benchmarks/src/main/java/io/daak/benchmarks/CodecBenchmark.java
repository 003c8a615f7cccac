package io.daak.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.google.protobuf.ByteString;
import io.daak.benchmarks.proto.BenchReading;
import io.daak.benchmarks.proto.BenchRecord;
import io.daak.codec.CborCodec;
import io.daak.codec.JsonCodec;
import io.daak.codec.ProtobufCodec;
import io.daak.core.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * Encode + decode of one realistic message per operation: a sensor reading and a 1 KiB record. Each
 * Daak codec ({@code daak*}) runs beside the library called directly ({@code direct*}) on the same
 * value; Jackson JSON called directly is the overall baseline. Daak codecs write into pooled buffers
 * and read from them; the direct calls use the libraries' own byte-array APIs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CodecBenchmark {

    /** A sensor reading as a record, for JSON and CBOR. */
    public record Reading(
            String sensor, double value, long timestamp, List<Double> history, Map<String, String> tags) {}

    /** A record of about 1 KiB, for JSON and CBOR. */
    public record Record(String id, String owner, List<String> labels, byte[] payload, long created) {}

    /** Which message: {@code reading} or {@code record1k}. */
    @Param({"reading", "record1k"})
    public String message;

    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private final ObjectMapper jsonMapper = JsonMapper.builder().build();
    private final ObjectMapper cborMapper = CBORMapper.builder().build();
    private final Codec json = new JsonCodec();
    private final Codec cbor = new CborCodec();
    private final Codec protobuf = new ProtobufCodec();

    private Object pojo = "";
    private Class<Object> pojoType = Object.class;
    private com.google.protobuf.Message proto = BenchReading.getDefaultInstance();
    private Class<com.google.protobuf.Message> protoType = com.google.protobuf.Message.class;

    /** Builds the message. */
    @Setup
    @SuppressWarnings("unchecked")
    public void setUp() {
        if (message.equals("reading")) {
            pojo = new Reading(
                    "imu-front-left",
                    9.81,
                    1_700_000_000_000L,
                    List.of(9.79, 9.8, 9.82),
                    Map.of("unit", "m/s2", "frame", "base_link"));
            pojoType = (Class<Object>) (Class<?>) Reading.class;
            proto = BenchReading.newBuilder()
                    .setSensor("imu-front-left")
                    .setValue(9.81)
                    .setTimestamp(1_700_000_000_000L)
                    .addHistory(9.79)
                    .addHistory(9.8)
                    .addHistory(9.82)
                    .putTags("unit", "m/s2")
                    .putTags("frame", "base_link")
                    .build();
            protoType = (Class<com.google.protobuf.Message>) (Class<?>) BenchReading.class;
        } else {
            byte[] payload = new byte[768];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 31);
            }
            List<String> labels = List.of("robot", "warehouse-7", "shift-b", "calibrated", "v2");
            pojo = new Record("rec-0000000001", "fleet-manager", labels, payload, 1_700_000_000_000L);
            pojoType = (Class<Object>) (Class<?>) Record.class;
            proto = BenchRecord.newBuilder()
                    .setId("rec-0000000001")
                    .setOwner("fleet-manager")
                    .addAllLabels(labels)
                    .setPayload(ByteString.copyFrom(payload))
                    .setCreated(1_700_000_000_000L)
                    .build();
            protoType = (Class<com.google.protobuf.Message>) (Class<?>) BenchRecord.class;
        }
    }

    private <T> Object daak(Codec codec, T value, Class<T> type) {
        ByteBuf buf = codec.encode(value, type, allocator);
        try {
            return codec.decode(buf, type);
        } finally {
            buf.release();
        }
    }

    /**
     * The baseline: Jackson JSON called directly.
     *
     * @return the decoded value
     * @throws IOException never for these values
     */
    @Benchmark
    public Object directJson() throws IOException {
        return jsonMapper.readValue(jsonMapper.writeValueAsBytes(pojo), pojoType);
    }

    /**
     * Jackson CBOR called directly.
     *
     * @return the decoded value
     * @throws IOException never for these values
     */
    @Benchmark
    public Object directCbor() throws IOException {
        return cborMapper.readValue(cborMapper.writeValueAsBytes(pojo), pojoType);
    }

    /**
     * protobuf-java called directly.
     *
     * @return the decoded value
     * @throws IOException never for these values
     */
    @Benchmark
    public Object directProtobuf() throws IOException {
        return proto.getParserForType().parseFrom(proto.toByteArray());
    }

    /**
     * Daak's JSON codec.
     *
     * @return the decoded value
     */
    @Benchmark
    public Object daakJson() {
        return daak(json, pojo, pojoType);
    }

    /**
     * Daak's CBOR codec.
     *
     * @return the decoded value
     */
    @Benchmark
    public Object daakCbor() {
        return daak(cbor, pojo, pojoType);
    }

    /**
     * Daak's Protobuf codec.
     *
     * @return the decoded value
     */
    @Benchmark
    public Object daakProtobuf() {
        return daak(protobuf, proto, protoType);
    }

    /**
     * Encoded sizes in bytes, printed by {@link RunBenchmarks}.
     *
     * @return one line per codec and message
     */
    public static String sizes() {
        StringBuilder sb = new StringBuilder("Encoded sizes (bytes):");
        for (String m : List.of("reading", "record1k")) {
            CodecBenchmark b = new CodecBenchmark();
            b.message = m;
            b.setUp();
            sb.append(String.format(
                    "%n  %-9s json %5d   cbor %5d   protobuf %5d",
                    m,
                    size(b.json, b.pojo, b.pojoType),
                    size(b.cbor, b.pojo, b.pojoType),
                    size(b.protobuf, b.proto, b.protoType)));
        }
        return sb.toString();
    }

    private static <T> int size(Codec codec, T value, Class<T> type) {
        ByteBuf buf = codec.encode(value, type, ByteBufAllocator.DEFAULT);
        try {
            return buf.readableBytes();
        } finally {
            buf.release();
        }
    }
}
