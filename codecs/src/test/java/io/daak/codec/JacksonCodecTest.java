package io.daak.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daak.core.Codec;
import io.daak.core.CodecException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** JSON and CBOR round trips and failures. */
class JacksonCodecTest {

    static Stream<Codec> codecs() {
        return Stream.of(new JsonCodec(), new CborCodec());
    }

    private static <T> T roundTrip(Codec codec, T value, Class<T> type) {
        UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(false);
        ByteBuf buf = codec.encode(value, type, allocator);
        try {
            int readerIndex = buf.readerIndex();
            T decoded = codec.decode(buf, type);
            assertThat(buf.readerIndex())
                    .as("decode leaves the lent buffer as it was")
                    .isEqualTo(readerIndex);
            return decoded;
        } finally {
            buf.release();
            assertThat(allocator.metric().usedHeapMemory()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void shouldRoundTripANestedRecord(Codec codec) {
        Reading r = new Reading("imu-1", 9.81, 1_700_000_000_000L, List.of(9.7, 9.8), Map.of("unit", "m/s2"));
        assertThat(roundTrip(codec, r, Reading.class)).isEqualTo(r);
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void shouldRoundTripEmptyLargeAndUnicodeValues(Codec codec) {
        Reading empty = new Reading("", 0, 0, List.of(), Map.of());
        assertThat(roundTrip(codec, empty, Reading.class)).isEqualTo(empty);
        String large = "x".repeat(1 << 20);
        assertThat(roundTrip(codec, large, String.class)).isEqualTo(large);
        String unicode = "Grüße, 世界, 🤖, \u0000 and \"quotes\"";
        assertThat(roundTrip(codec, unicode, String.class)).isEqualTo(unicode);
        List<?> list = roundTrip(codec, List.of(1, 2, 3), List.class);
        assertThat(list).asList().containsExactly(1, 2, 3);
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void shouldRoundTripADirectBuffer(Codec codec) {
        Reading r = new Reading("direct", 1.5, 1, List.of(), Map.of());
        ByteBuf heap = codec.encode(r, Reading.class, ByteBufAllocator.DEFAULT);
        ByteBuf direct = Unpooled.directBuffer(heap.readableBytes()).writeBytes(heap);
        try {
            assertThat(codec.decode(direct, Reading.class)).isEqualTo(r);
        } finally {
            heap.release();
            direct.release();
        }
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void shouldRejectBytesOfAnotherFormatWithItsMimeType(Codec codec) {
        ByteBuf garbage = Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x13, 0x37});
        assertThatThrownBy(() -> codec.decode(garbage, Reading.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining(codec.mimeType())
                .hasMessageContaining(Reading.class.getName());
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void shouldRejectATruncatedValue(Codec codec) {
        Reading r = new Reading("imu-1", 9.81, 1, List.of(1.0), Map.of("a", "b"));
        ByteBuf full = codec.encode(r, Reading.class, ByteBufAllocator.DEFAULT);
        try {
            ByteBuf cut = full.slice(0, full.readableBytes() / 2);
            assertThatThrownBy(() -> codec.decode(cut, Reading.class)).isInstanceOf(CodecException.class);
        } finally {
            full.release();
        }
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void shouldRejectNullAndTrailingBytes(Codec codec) {
        ByteBuf nul = codec.encode(null, Object.class, ByteBufAllocator.DEFAULT);
        try {
            assertThatThrownBy(() -> codec.decode(nul, Reading.class))
                    .isInstanceOf(CodecException.class)
                    .hasMessageContaining("null");
        } finally {
            nul.release();
        }
        ByteBuf one = codec.encode("a", String.class, ByteBufAllocator.DEFAULT);
        ByteBuf twice = Unpooled.wrappedBuffer(one.retainedDuplicate(), one);
        try {
            assertThatThrownBy(() -> codec.decode(twice, String.class)).isInstanceOf(CodecException.class);
        } finally {
            twice.release();
        }
    }

    @org.junit.jupiter.api.Test
    void shouldWriteJsonAsText() {
        ByteBuf buf = new JsonCodec().encode(Map.of("k", 1), Map.class, ByteBufAllocator.DEFAULT);
        try {
            assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo("{\"k\":1}");
        } finally {
            buf.release();
        }
    }
}
