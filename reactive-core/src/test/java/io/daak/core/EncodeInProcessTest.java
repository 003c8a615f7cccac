package io.daak.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** With encodeInProcess, values travel through their codecs, as they would over a network. */
class EncodeInProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static Daak encoding() {
        return Daak.local(LocalOptions.defaults().encodeInProcess(true));
    }

    @Test
    void shouldGiveSubscribersACopyNotThePublishersObject() {
        try (Daak daak = encoding()) {
            Topic<byte[]> t = Topic.of("bytes", byte[].class).withCodec(Codec.bytes());
            byte[] sent = {1, 2, 3};
            StepVerifier v = daak.subscribe(t)
                    .take(1)
                    .as(StepVerifier::create)
                    .assertNext(m -> {
                        assertThat(m.value()).isNotSameAs(sent).containsExactly(1, 2, 3);
                        assertThat(m.mimeType()).isEqualTo("application/octet-stream");
                    })
                    .expectComplete()
                    .verifyLater();
            daak.publish(t, sent).block(WAIT);
            v.verify(WAIT);
        }
    }

    @Test
    void shouldDecodeForASubscriberOfASupertypeAsThePublishedType() {
        try (Daak daak = encoding()) {
            Topic<String> t = Topic.of("any/text", String.class).withCodec(Codec.utf8());
            StepVerifier v = daak.subscribe(Selector.of("any/**", Object.class))
                    .take(1)
                    .as(StepVerifier::create)
                    .assertNext(m -> assertThat(m.value()).isEqualTo("text"))
                    .expectComplete()
                    .verifyLater();
            daak.publish(t, "text").block(WAIT);
            v.verify(WAIT);
        }
    }

    @Test
    void shouldEncodeEveryPattern() {
        try (Daak daak = encoding()) {
            Key<String> k = Key.of("k", String.class).withCodec(Codec.utf8());
            daak.put(k, "välue ✓").block(WAIT);
            assertThat(daak.get(k).block(WAIT)).isEqualTo("välue ✓");

            Queue<String> q = Queue.of("q", String.class).withCodec(Codec.utf8());
            daak.send(q, "job").block(WAIT);
            StepVerifier.create(daak.recv(q).take(1).map(Delivery::value))
                    .expectNext("job")
                    .verifyComplete();

            Service<String, String> s =
                    Service.of("echo", String.class, String.class).withCodec(Codec.utf8());
            daak.serve(s, ServiceHandler.requestReply(x -> Mono.just(x + "!"))).block(WAIT);
            assertThat(daak.request(s, "hi").block(WAIT)).isEqualTo("hi!");
        }
    }

    @Test
    void shouldNameTheDescriptorWithoutACodec() {
        try (Daak daak = encoding()) {
            Topic<String> plain = Topic.of("plain", String.class);
            assertThatThrownBy(() -> daak.publish(plain, "x").block(WAIT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("topic 'plain' has no codec");
        }
    }

    @Test
    void shouldReportADecodeFailureWithTopicAndMimeType() {
        Codec broken = new Codec() {
            @Override
            public String mimeType() {
                return "application/x-broken";
            }

            @Override
            public boolean supports(Class<?> type) {
                return type == String.class;
            }

            @Override
            public <T> ByteBuf encode(T value, Class<T> type, ByteBufAllocator allocator) {
                ByteBuf buf = allocator.buffer();
                buf.writeCharSequence((String) value, StandardCharsets.UTF_8);
                return buf;
            }

            @Override
            public <T> T decode(ByteBuf data, Class<T> type) {
                throw new CodecException("truncated at byte " + data.readableBytes());
            }
        };
        try (Daak daak = encoding()) {
            Topic<String> t = Topic.of("broken", String.class).withCodec(broken);
            StepVerifier v = daak.subscribe(t)
                    .as(StepVerifier::create)
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(CodecException.class)
                            .hasMessageContaining("topic 'broken'")
                            .hasMessageContaining("application/x-broken")
                            .hasMessageContaining("truncated"))
                    .verifyLater();
            daak.publish(t, "abc").block(WAIT);
            v.verify(WAIT);
        }
    }

    @Test
    void shouldReleaseEveryBufferItEncodes() {
        UnpooledByteBufAllocator counting = new UnpooledByteBufAllocator(false);
        try (Daak daak =
                Daak.local(LocalOptions.defaults().encodeInProcess(true).allocator(counting))) {
            Topic<String> t = Topic.of("released", String.class).withCodec(Codec.utf8());
            StepVerifier v = daak.subscribe(t)
                    .take(100)
                    .as(StepVerifier::create)
                    .expectNextCount(100)
                    .expectComplete()
                    .verifyLater();
            daak.publishAll(t, reactor.core.publisher.Flux.range(0, 100).map(i -> "message " + i))
                    .blockLast(WAIT);
            v.verify(WAIT);
            Key<byte[]> k = Key.of("k", byte[].class).withCodec(Codec.bytes());
            daak.put(k, new byte[4096]).block(WAIT);
            assertThat(daak.get(k).block(WAIT)).hasSize(4096);
        }
        assertThat(counting.metric().usedHeapMemory())
                .as("bytes still allocated")
                .isZero();
    }

    @Test
    void shouldRefuseACodecThatDoesNotSupportTheType() {
        assertThatThrownBy(() -> Topic.of("n", Integer.class).withCodec(Codec.utf8()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not support");
    }
}
