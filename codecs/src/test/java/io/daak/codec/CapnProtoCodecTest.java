package io.daak.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daak.codec.capnp.Point;
import io.daak.core.CodecException;
import io.daak.core.Daak;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.Topic;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.time.Duration;
import org.capnproto.MessageBuilder;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Cap'n Proto with a struct written in the form capnpc-java generates (src/test/capnp/point.capnp). */
class CapnProtoCodecTest {

    private final CapnProtoCodec codec = new CapnProtoCodec();

    static Point.Reader point(double x, double y, String label) {
        MessageBuilder message = new MessageBuilder();
        Point.Builder p = message.initRoot(Point.factory);
        p.setX(x);
        p.setY(y);
        p.setLabel(label);
        return p.asReader();
    }

    private static void assertSame(Point.Reader actual, Point.Reader expected) {
        assertThat(actual.getX()).isEqualTo(expected.getX());
        assertThat(actual.getY()).isEqualTo(expected.getY());
        assertThat(actual.getLabel().toString()).isEqualTo(expected.getLabel().toString());
    }

    @Test
    void shouldRoundTripEmptyLargeAndUnicodeStructs() {
        UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(false);
        for (Point.Reader p : new Point.Reader[] {
            point(1.5, -2, "dock"), point(0, 0, ""), point(3, 4, "港口 🤖"), point(5, 6, "x".repeat(1 << 20))
        }) {
            ByteBuf buf = codec.encode(p, Point.Reader.class, allocator);
            try {
                assertThat(buf.readableBytes() % 8).as("whole words").isZero();
                assertSame(codec.decode(buf, Point.Reader.class), p);
            } finally {
                buf.release();
            }
        }
        assertThat(allocator.metric().usedHeapMemory()).isZero();
    }

    @Test
    void shouldReadInPlaceWithoutCopyingAndReleaseWhenClosed() {
        ByteBuf encoded = codec.encode(point(1.0, 2.0, "a"), Point.Reader.class, UnpooledByteBufAllocator.DEFAULT);
        ByteBuf data = Unpooled.directBuffer().writeBytes(encoded);
        encoded.release();
        try (Lent<Point.Reader> lent = CapnProtoCodec.view(data, Point.Reader.class)) {
            assertThat(data.refCnt()).isEqualTo(2);
            assertThat(lent.value().getX()).isEqualTo(1.0);
            for (int i = 0; i + 8 <= data.writerIndex(); i++) {
                if (data.getDoubleLE(i) == 1.0) {
                    data.setDoubleLE(i, 42.0);
                    break;
                }
            }
            assertThat(lent.value().getX())
                    .as("the reader reads the buffer itself")
                    .isEqualTo(42.0);
        }
        assertThat(data.refCnt()).isEqualTo(1);
        data.release();
    }

    @Test
    void shouldRejectTruncatedAndForeignBytes() {
        ByteBuf full = codec.encode(point(1, 2, "label"), Point.Reader.class, UnpooledByteBufAllocator.DEFAULT);
        try {
            for (int len = 0; len < full.readableBytes(); len++) {
                ByteBuf cut = full.slice(0, len);
                assertThatThrownBy(() -> codec.decode(cut, Point.Reader.class))
                        .as("truncated to %d bytes", len)
                        .isInstanceOf(CodecException.class)
                        .hasMessageContaining("application/x-capnp");
            }
        } finally {
            full.release();
        }
        ByteBuf json =
                Unpooled.wrappedBuffer("{\"x\":1.0,\"y\":2.0}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThatThrownBy(() -> codec.decode(json, Point.Reader.class)).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> CapnProtoCodec.view(json, Point.Reader.class)).isInstanceOf(CodecException.class);
        assertThat(json.refCnt()).isEqualTo(1);
    }

    @Test
    void shouldBeFoundByTypeAndMimeType() {
        assertThat(codec.supports(Point.Reader.class)).isTrue();
        assertThat(codec.supports(Point.Builder.class)).isFalse();
        assertThat(codec.supports(String.class)).isFalse();
        assertThat(CodecRegistry.defaults().forType(Point.Reader.class)).isInstanceOf(CapnProtoCodec.class);
        assertThat(CodecRegistry.defaults().byMimeType("application/x-capnp")).isInstanceOf(CapnProtoCodec.class);
    }

    @Test
    void shouldCarryCapnProtoTopicsThroughDaak() {
        try (Daak daak = Daak.local(LocalOptions.defaults().encodeInProcess(true))) {
            Topic<Point.Reader> t =
                    Topic.of("map/waypoints", Point.Reader.class).withCodec(codec);
            Point.Reader sent = point(7.5, -1.25, "charger");
            StepVerifier v = daak.subscribe(t)
                    .take(1)
                    .map(Message::value)
                    .as(StepVerifier::create)
                    .assertNext(p -> assertSame(p, sent))
                    .expectComplete()
                    .verifyLater();
            daak.publish(t, sent).block(Duration.ofSeconds(5));
            v.verify(Duration.ofSeconds(5));
        }
    }
}
