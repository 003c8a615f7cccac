package io.daak.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Codec;
import io.daak.core.CodecException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random, truncated and mutated bytes for every codec: a decode either succeeds or throws a
 * {@link CodecException} (never another exception, never a crash) and never changes or keeps the
 * buffer it was lent.
 */
class CodecFuzzTest {

    private static final long SEED = 20261122L;
    private static final int RANDOM_INPUTS = 3_000;

    static Stream<Codec> codecs() {
        return Stream.concat(
                CodecRegistry.defaults().mimeTypes().stream().map(CodecRegistry.defaults()::byMimeType),
                Stream.of(new JsonCodec(), new CborCodec()));
    }

    /** Values the codec can encode, whose encodings are cut and mutated. */
    private static List<ByteBuf> validEncodings(Codec codec, UnpooledByteBufAllocator allocator) {
        List<ByteBuf> out = new ArrayList<>();
        if (codec.supports(String.class)) {
            out.add(codec.encode("héllo wörld 🤖", String.class, allocator));
        }
        if (codec.supports(byte[].class)) {
            out.add(codec.encode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, byte[].class, allocator));
        }
        if (codec instanceof CapnProtoCodec) {
            out.add(codec.encode(
                    CapnProtoCodecTest.point(1.5, 2.5, "dock"), io.daak.codec.capnp.Point.Reader.class, allocator));
        }
        if (codec instanceof FlatBuffersCodec) {
            out.add(codec.encode(
                    FlatBuffersCodecTest.pose("r1", 1.5, 0.1f, 0.2f, 0.3f), io.daak.codec.fbs.Pose.class, allocator));
        }
        if (codec instanceof ProtobufCodec) {
            out.add(codec.encode(
                    io.daak.codec.proto.SensorReading.newBuilder()
                            .setSensor("imu")
                            .setValue(9.81)
                            .addHistory(1.0)
                            .putTags("unit", "m/s2")
                            .build(),
                    io.daak.codec.proto.SensorReading.class,
                    allocator));
        }
        if (codec.supports(Reading.class)) {
            out.add(codec.encode(
                    new Reading("imu", 9.81, 7, List.of(1.0, 2.0, 3.0), Map.of("unit", "m/s2")),
                    Reading.class,
                    allocator));
        }
        return out;
    }

    private static Class<?> targetType(Codec codec) {
        if (codec instanceof CapnProtoCodec) {
            return io.daak.codec.capnp.Point.Reader.class;
        }
        if (codec instanceof FlatBuffersCodec) {
            return io.daak.codec.fbs.Pose.class;
        }
        if (codec instanceof ProtobufCodec) {
            return io.daak.codec.proto.SensorReading.class;
        }
        if (codec.supports(Reading.class)) {
            return Reading.class;
        }
        return codec.supports(String.class) ? String.class : byte[].class;
    }

    private static void decodeSafely(Codec codec, ByteBuf input, Class<?> type) {
        int readerIndex = input.readerIndex();
        int refCnt = input.refCnt();
        try {
            codec.decode(input, type);
        } catch (CodecException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError(codec.mimeType() + " threw " + e + " instead of a CodecException", e);
        }
        assertThat(input.readerIndex()).isEqualTo(readerIndex);
        assertThat(input.refCnt()).isEqualTo(refCnt);
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void shouldSurviveRandomBytes(Codec codec) {
        Random random = new Random(SEED);
        Class<?> type = targetType(codec);
        for (int i = 0; i < RANDOM_INPUTS; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            ByteBuf input = Unpooled.wrappedBuffer(bytes);
            try {
                decodeSafely(codec, input, type);
            } finally {
                input.release();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void shouldSurviveTruncatedAndMutatedEncodings(Codec codec) {
        UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(false);
        Random random = new Random(SEED);
        Class<?> type = targetType(codec);
        List<ByteBuf> valid = validEncodings(codec, allocator);
        assertThat(valid).isNotEmpty();
        try {
            for (ByteBuf full : valid) {
                for (int len = 0; len < full.readableBytes(); len++) {
                    decodeSafely(codec, full.slice(full.readerIndex(), len), type);
                }
                for (int i = 0; i < 500; i++) {
                    ByteBuf copy = full.copy();
                    try {
                        int at = random.nextInt(copy.readableBytes());
                        copy.setByte(at, random.nextInt(256));
                        decodeSafely(codec, copy, type);
                    } finally {
                        copy.release();
                    }
                }
            }
        } finally {
            valid.forEach(ByteBuf::release);
        }
        assertThat(allocator.metric().usedHeapMemory())
                .as("every encoded buffer released")
                .isZero();
    }
}
