package io.daak.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daak.core.Codec;
import io.daak.core.CodecException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lookup by MIME type and Java type, ServiceLoader registration, transcoding and mismatches. */
class CodecRegistryTest {

    private final CodecRegistry registry = CodecRegistry.defaults();
    private final Reading reading = new Reading("imu", 1.25, 42, List.of(1.0, 2.0), Map.of("k", "v"));

    @Test
    void shouldKnowTheBuiltInsAndTheRegisteredCodecs() {
        assertThat(registry.mimeTypes())
                .contains(
                        "application/json",
                        "application/cbor",
                        "application/octet-stream",
                        "text/plain; charset=utf-8",
                        ReversedTextCodec.MIME_TYPE);
        assertThat(registry.byMimeType("Application/JSON")).isInstanceOf(JsonCodec.class);
        assertThat(registry.byMimeType("application/cbor; foo=bar")).isInstanceOf(CborCodec.class);
        assertThat(registry.byMimeType("text/plain;charset=UTF-8")).isSameAs(Codec.utf8());
        assertThat(registry.byMimeType("text/plain")).isSameAs(Codec.utf8());
        assertThat(registry.byMimeType(ReversedTextCodec.MIME_TYPE)).isInstanceOf(ReversedTextCodec.class);
    }

    @Test
    void shouldNameTheKnownMimeTypesForAnUnknownOne() {
        assertThatThrownBy(() -> registry.byMimeType("application/x-nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("application/x-nope")
                .hasMessageContaining("application/json");
        assertThat(registry.find("application/x-nope")).isEmpty();
    }

    @Test
    void shouldChooseACodecByJavaType() {
        assertThat(registry.forType(String.class)).isSameAs(Codec.utf8());
        assertThat(registry.forType(byte[].class)).isSameAs(Codec.bytes());
        assertThat(registry.forType(Reading.class)).isInstanceOf(JsonCodec.class);
        assertThatThrownBy(() -> CodecRegistry.of(Codec.utf8()).forType(Reading.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Reading.class.getName());
    }

    @Test
    void shouldReplaceACodecOfTheSameMimeType() {
        JsonCodec mine = new JsonCodec();
        assertThat(registry.with(mine).byMimeType("application/json")).isSameAs(mine);
    }

    @Test
    void shouldTranscodeJsonToCborAndBackWithoutLoss() {
        ByteBuf json = new JsonCodec().encode(reading, Reading.class, ByteBufAllocator.DEFAULT);
        ByteBuf cbor = registry.transcode(
                json, "application/json", "application/cbor", Reading.class, ByteBufAllocator.DEFAULT);
        ByteBuf back = registry.transcode(
                cbor, "application/cbor", "application/json", Reading.class, ByteBufAllocator.DEFAULT);
        try {
            assertThat(new CborCodec().decode(cbor, Reading.class)).isEqualTo(reading);
            assertThat(back).isEqualTo(json);
        } finally {
            json.release();
            cbor.release();
            back.release();
        }
    }

    @Test
    void shouldDecodeWhatWasSentInAnotherTranscodableFormat() {
        ByteBuf cbor = new CborCodec().encode(reading, Reading.class, ByteBufAllocator.DEFAULT);
        try {
            Reading r = registry.decode("sensors/imu", cbor, "application/cbor", Reading.class, new JsonCodec());
            assertThat(r).isEqualTo(reading);
        } finally {
            cbor.release();
        }
    }

    @Test
    void shouldReportACodecMismatchWithTopicAndBothMimeTypes() {
        ByteBuf text = Codec.utf8().encode("hello", String.class, ByteBufAllocator.DEFAULT);
        try {
            assertThatThrownBy(() -> registry.decode(
                            "chat/general", text, "text/plain; charset=utf-8", String.class, new CborCodec()))
                    .isInstanceOf(CodecException.class)
                    .hasMessageContaining("chat/general")
                    .hasMessageContaining("text/plain; charset=utf-8")
                    .hasMessageContaining("application/cbor");
            assertThatThrownBy(() -> registry.decode(
                            "chat/general", text, "application/x-unknown", String.class, new JsonCodec()))
                    .isInstanceOf(CodecException.class)
                    .hasMessageContaining("no codec for application/x-unknown");
        } finally {
            text.release();
        }
    }

    @Test
    void shouldNameTheTopicWhenBytesAreBad() {
        ByteBuf bad = ByteBufAllocator.DEFAULT.buffer().writeBytes(new byte[] {'{', '"'});
        try {
            assertThatThrownBy(() ->
                            registry.decode("sensors/imu", bad, "application/json", Reading.class, new JsonCodec()))
                    .isInstanceOf(CodecException.class)
                    .hasMessageContaining("sensors/imu")
                    .hasMessageContaining("application/json");
        } finally {
            bad.release();
        }
    }
}
