package io.daak.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Codec;
import io.daak.core.Daak;
import io.daak.core.LocalOptions;
import io.daak.core.Message;
import io.daak.core.Topic;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Topics with different codecs flowing through one handle, with codecs fixed per topic or chosen by rules. */
class CodecsEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    /** Counts what each wrapped codec encodes, to see which codec a topic used. */
    private static final class Counting implements Codec {
        final Codec delegate;
        final AtomicInteger encoded = new AtomicInteger();

        Counting(Codec delegate) {
            this.delegate = delegate;
        }

        @Override
        public String mimeType() {
            return delegate.mimeType();
        }

        @Override
        public boolean supports(Class<?> type) {
            return delegate.supports(type);
        }

        @Override
        public <T> ByteBuf encode(T value, Class<T> type, ByteBufAllocator allocator) {
            encoded.incrementAndGet();
            return delegate.encode(value, type, allocator);
        }

        @Override
        public <T> T decode(ByteBuf data, Class<T> type) {
            return delegate.decode(data, type);
        }
    }

    @Test
    void shouldCarryEachTopicInItsOwnFormat() {
        Counting cbor = new Counting(new CborCodec());
        Counting json = new Counting(new JsonCodec());
        LocalOptions options = LocalOptions.defaults()
                .encodeInProcess(true)
                .codec("sensors/**", cbor)
                .codec("**", json);
        try (Daak daak = Daak.local(options)) {
            Topic<Reading> imu = Topic.of("sensors/imu", Reading.class); // CBOR by rule
            Topic<Reading> audit = Topic.of("audit/readings", Reading.class); // JSON by the catch-all rule
            Topic<String> chat = Topic.of("chat/general", String.class).withCodec(Codec.utf8()); // fixed
            Topic<byte[]> raw = Topic.of("sensors/raw", byte[].class).withCodec(Codec.bytes()); // fixed wins
            Reading reading = new Reading("imu", 9.81, 1, List.of(9.8), Map.of("unit", "m/s2"));

            Map<String, Object> got = new ConcurrentHashMap<>();
            Map<String, String> formats = new ConcurrentHashMap<>();
            StepVerifier v = daak.subscribe(io.daak.core.Selector.of("**", Object.class))
                    .take(4)
                    .doOnNext((Message<Object> m) -> {
                        got.put(m.topic(), m.value());
                        formats.put(m.topic(), String.valueOf(m.mimeType()));
                    })
                    .then()
                    .as(StepVerifier::create)
                    .expectComplete()
                    .verifyLater();
            Flux.concat(
                            daak.publish(imu, reading),
                            daak.publish(audit, reading),
                            daak.publish(chat, "hello ✓"),
                            daak.publish(raw, new byte[] {1, 2, 3}))
                    .blockLast(WAIT);
            v.verify(WAIT);

            assertThat(got.get("sensors/imu")).isEqualTo(reading).isNotSameAs(reading);
            assertThat(got.get("audit/readings")).isEqualTo(reading);
            assertThat(got.get("chat/general")).isEqualTo("hello ✓");
            assertThat((byte[]) got.get("sensors/raw")).containsExactly(1, 2, 3);
            assertThat(formats)
                    .as("the MIME type travels with each message")
                    .containsEntry("sensors/imu", "application/cbor")
                    .containsEntry("audit/readings", "application/json")
                    .containsEntry("chat/general", "text/plain; charset=utf-8")
                    .containsEntry("sensors/raw", "application/octet-stream");
            assertThat(cbor.encoded).as("sensors/imu went through CBOR").hasValue(1);
            assertThat(json.encoded).as("audit/readings went through JSON").hasValue(1);
        }
    }
}
