package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.rsocket.Payload;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The per-message JSON fields and batches: what any client writes must read back, and bad input is named. */
@ExtendWith(NoLeaks.class)
class WireFieldsTest {

    private static WireFields read(String json) {
        ByteBuf buf = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        try {
            return WireFields.read(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldReadBackEveryMemberItWrites() {
        WireFields w = new WireFields();
        w.name = "sensors/a\"b\\c\n\u00e9\u4e2d\ud83d\ude00";
        w.seq = Long.MAX_VALUE;
        w.timestamp(Instant.parse("2026-11-22T10:15:30.123456789Z"));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("trace", "00-abc");
        headers.put("\u0001odd key", "tab\there");
        w.headers = headers;
        w.sender = "robot-7";
        w.priority = -3;
        w.ttlMillis = 1500;
        w.type = "java.lang.String";
        w.start = "seq:42";
        w.overflow = "dropOldest";
        w.capacity = 16;
        w.kind = "put";
        w.confirm = true;
        w.batch = 7;
        w.acks = true;
        w.runs = true;
        w.id = -1;
        w.attempt = 2;
        w.ackTimeoutMillis = 30_000;
        w.maxDeliveries = 5;
        w.queueCapacity = 100;
        w.deadLetter = "dlq";
        ByteBuf buf = Unpooled.buffer();
        try {
            w.write(buf);
            WireFields r = WireFields.read(buf);
            assertThat(r.name).isEqualTo(w.name);
            assertThat(r.seq).isEqualTo(Long.MAX_VALUE);
            assertThat(r.timestamp()).isEqualTo(Instant.parse("2026-11-22T10:15:30.123456789Z"));
            assertThat(r.headers).containsExactlyEntriesOf(headers);
            assertThat(r.sender).isEqualTo("robot-7");
            assertThat(r.priority).isEqualTo(-3);
            assertThat(r.ttlMillis).isEqualTo(1500);
            assertThat(r.type).isEqualTo("java.lang.String");
            assertThat(r.start).isEqualTo("seq:42");
            assertThat(r.overflow).isEqualTo("dropOldest");
            assertThat(r.capacity).isEqualTo(16);
            assertThat(r.kind).isEqualTo("put");
            assertThat(r.confirm).isTrue();
            assertThat(r.batch).isEqualTo(7);
            assertThat(r.acks).isTrue();
            assertThat(r.runs).isTrue();
            assertThat(r.id).isEqualTo(-1);
            assertThat(r.attempt).isEqualTo(2);
            assertThat(r.ackTimeoutMillis).isEqualTo(30_000);
            assertThat(r.maxDeliveries).isEqualTo(5);
            assertThat(r.queueCapacity).isEqualTo(100);
            assertThat(r.deadLetter).isEqualTo("dlq");
            // and it is JSON that a general parser agrees with
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(buf.toString(StandardCharsets.UTF_8))
                            .path("name")
                            .asText())
                    .isEqualTo(w.name);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldReadWhatOtherClientsWrite() {
        WireFields r = read(" {\n \"seq\" : 5 , \"unknown\": {\"deep\": [1, 2.5e3, true, null, \"x\", {}]},"
                + " \"name\": \"a\\/b\\u00e9\", \"confirm\": false, \"headers\": {}, \"n\": -0.5 }\t");
        assertThat(r.seq).isEqualTo(5);
        assertThat(r.name).isEqualTo("a/b\u00e9");
        assertThat(r.confirm).isFalse();
        assertThat(read("{}").isEmpty()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "[]",
                "{",
                "{\"seq\":}",
                "{\"seq\":1,}",
                "{\"name\":\"unterminated}",
                "{\"name\":\"bad \\q escape\"}",
                "{\"seq\":1} trailing",
                "{\"a\":tru}",
                "{'single':1}"
            })
    void shouldRefuseMalformedJsonSayingWhere(String json) {
        assertThatThrownBy(() -> read(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not valid JSON")
                .hasMessageContaining("at byte");
    }

    @Test
    void shouldNameTheMemberOfTheWrongType() {
        assertThatThrownBy(() -> read("{\"seq\":\"5\"}")).hasMessage("member 'seq' must be an integer");
        assertThatThrownBy(() -> read("{\"seq\":1.5}")).hasMessage("member 'seq' must be an integer");
        assertThatThrownBy(() -> read("{\"seq\":99999999999999999999}")).hasMessage("member 'seq' is out of range");
        assertThatThrownBy(() -> read("{\"seq\":9223372036854775808}")).hasMessage("member 'seq' is out of range");
        assertThat(read("{\"seq\":9223372036854775807}").seq).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> read("{\"name\":7}")).hasMessage("member 'name' must be a string");
        assertThatThrownBy(() -> read("{\"headers\":{\"k\":1}}")).hasMessage("member 'headers.k' must be a string");
    }

    @Test
    void shouldRefuseDeepNesting() {
        String deep = "{\"x\":" + "[".repeat(200) + "]".repeat(200) + "}";
        assertThatThrownBy(() -> read(deep)).hasMessageContaining("nesting deeper than");
    }

    @Test
    void shouldReadBackCompactEntries() {
        Instant ts = Instant.parse("2026-12-06T01:02:03.123456789Z");
        Batch.Writer w = new Batch.Writer();
        w.addCompact(
                io.daak.core.Message.of("sensors/\u00e9", "x", 7, ts, io.daak.core.Fields.none(), "application/json"),
                null,
                "java.lang.String",
                "v0".getBytes(StandardCharsets.UTF_8));
        w.addCompact(
                io.daak.core.Message.of(
                        "sensors/\u00e9",
                        "y",
                        Long.MAX_VALUE,
                        ts,
                        io.daak.core.Fields.none().header("trace", "00-abc").sender("robot-7"),
                        "text/plain"),
                "text/plain",
                null,
                "v1".getBytes(StandardCharsets.UTF_8));
        WireFields head = new WireFields();
        head.batch = w.count();
        head.compact = true;
        Payload batch = w.payload(Wire.write(Unpooled.buffer().alloc(), null, null, head));
        List<Payload> parts = Batch.split(batch, 2, true);
        try {
            Wire.Meta first = ((Batch.Delivered) parts.get(0)).meta();
            assertThat(first.mimeType()).isNull();
            assertThat(first.fieldsOrEmpty().name).isEqualTo("sensors/\u00e9");
            assertThat(first.fieldsOrEmpty().seq).isEqualTo(7);
            assertThat(first.fieldsOrEmpty().timestamp()).isEqualTo(ts);
            assertThat(first.fieldsOrEmpty().type).isEqualTo("java.lang.String");
            assertThat(parts.get(0).getDataUtf8()).isEqualTo("v0");
            Wire.Meta second = ((Batch.Delivered) parts.get(1)).meta();
            assertThat(second.mimeType()).isEqualTo("text/plain");
            assertThat(second.fieldsOrEmpty().seq).isEqualTo(Long.MAX_VALUE);
            assertThat(second.fieldsOrEmpty().type).isNull();
            assertThat(second.fieldsOrEmpty().headers).containsEntry("trace", "00-abc");
            assertThat(second.fieldsOrEmpty().sender).isEqualTo("robot-7");
            assertThat(second.fieldsOrEmpty().timestamp()).isEqualTo(ts);
            assertThat(parts.get(1).getDataUtf8()).isEqualTo("v1");
        } finally {
            parts.forEach(Payload::release);
        }
    }

    @Test
    void shouldNameWhatIsWrongInACompactEntry() {
        byte[] shortHeader = {0, 0, 0};
        assertThatThrownBy(() -> CompactEntry.read(shortHeader, 0, 3, null))
                .hasMessageContaining("truncated in its header");
        byte[] lying = new byte[25 + 4];
        lying[21] = 0x7f; // a topic length far past the end
        assertThatThrownBy(() -> CompactEntry.read(lying, 0, lying.length, null))
                .hasMessageContaining("announces")
                .hasMessageContaining("bytes of topic");
    }

    @Test
    void shouldNotRepeatATopicWithinACompactBatch() {
        Instant ts = Instant.parse("2026-12-06T01:02:03Z");
        String[] topics = {"sensors/a", "sensors/a", "sensors/b", "sensors/b"};
        Batch.Writer w = new Batch.Writer();
        int[] sizes = new int[topics.length];
        for (int i = 0; i < topics.length; i++) {
            int before = w.bytes();
            w.addCompact(
                    io.daak.core.Message.of(topics[i], "x", i, ts, io.daak.core.Fields.none(), "text/plain"),
                    null,
                    null,
                    new byte[] {(byte) i});
            sizes[i] = w.bytes() - before;
        }
        // The second entry of a topic leaves its name (4 + 9 bytes) out.
        assertThat(sizes[0] - sizes[1]).isEqualTo(4 + "sensors/a".length());
        assertThat(sizes[2]).isEqualTo(sizes[0]);
        assertThat(sizes[3]).isEqualTo(sizes[1]);
        WireFields head = new WireFields();
        head.batch = w.count();
        head.compact = true;
        Payload batch = w.payload(Wire.write(Unpooled.buffer().alloc(), null, null, head));
        List<Payload> parts = Batch.split(batch, topics.length, true);
        try {
            for (int i = 0; i < topics.length; i++) {
                Wire.Meta meta = ((Batch.Delivered) parts.get(i)).meta();
                assertThat(meta.fieldsOrEmpty().name).isEqualTo(topics[i]);
                assertThat(meta.fieldsOrEmpty().seq).isEqualTo(i);
            }
        } finally {
            parts.forEach(Payload::release);
        }
        byte[] first = new byte[21];
        first[0] = CompactEntry.SAME_TOPIC;
        assertThatThrownBy(() -> CompactEntry.read(first, 0, first.length, null))
                .hasMessageContaining("previous entry's topic, but it is the first");
        byte[] unknown = new byte[21];
        unknown[0] = (byte) 0x40;
        assertThatThrownBy(() -> CompactEntry.read(unknown, 0, unknown.length, null))
                .hasMessageContaining("unknown flags 64");
    }

    @Test
    void shouldSplitABatchIntoItsEntries() {
        Batch.Writer w = new Batch.Writer();
        for (int i = 0; i < 3; i++) {
            WireFields f = new WireFields();
            f.seq = i + 1;
            w.add(i == 1 ? "text/plain" : null, f, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        WireFields head = new WireFields();
        head.batch = w.count();
        Payload batch = w.payload(Wire.write(Unpooled.buffer().alloc(), null, null, head));
        List<Payload> parts = Batch.split(batch, 3, false);
        try {
            assertThat(parts).hasSize(3);
            for (int i = 0; i < 3; i++) {
                Wire.Meta meta = Wire.read(parts.get(i).sliceMetadata());
                assertThat(meta.fieldsOrEmpty().seq).isEqualTo(i + 1);
                assertThat(meta.mimeType()).isEqualTo(i == 1 ? "text/plain" : null);
                assertThat(parts.get(i).getDataUtf8()).isEqualTo("v" + i);
            }
        } finally {
            parts.forEach(Payload::release);
        }
    }

    @Test
    void shouldRefuseABatchThatDoesNotHoldWhatItAnnounces() {
        Batch.Writer w = new Batch.Writer();
        w.add(null, null, new byte[] {1, 2, 3});
        Payload one = w.payload(null);
        try {
            ByteBuf data = one.sliceData();
            assertThatThrownBy(() -> walk(data, 2)).hasMessageContaining("batch entry 1 is truncated");
            assertThatThrownBy(() -> walk(data, 0)).hasMessageContaining("out of range");
            assertThatThrownBy(() -> walk(data.slice(0, data.readableBytes() - 1), 1))
                    .hasMessageContaining("announces 3 bytes of data but only 2 follow");
            ByteBuf longer = Unpooled.wrappedBuffer(data.copy(), Unpooled.wrappedBuffer(new byte[] {9}));
            try {
                assertThatThrownBy(() -> walk(longer, 1)).hasMessageContaining("1 bytes after its last entry");
            } finally {
                longer.release();
            }
        } finally {
            one.release();
        }
    }

    /** Walks a batch's entries as the node reads them (from an array), visiting nothing. */
    private static void walk(ByteBuf data, int count) {
        byte[] a = io.netty.buffer.ByteBufUtil.getBytes(data);
        Batch.walk(a, a.length, count, (k, metadataAt, metadataLength, dataAt, dataLength) -> {});
    }

    @Test
    void shouldReadBackCompactPublishEntries() {
        WireFields plain = new WireFields();
        plain.type = "[B";
        ByteBuf first = CompactEntry.publishMetadata(null, plain);
        // The same bytes again for the next plain entry of the same type: made once.
        assertThat(first.readableBytes()).isEqualTo(1 + 4 + 2);
        assertThat(CompactEntry.publishMetadata(null, plain)).isEqualTo(first);
        byte[] firstBytes = io.netty.buffer.ByteBufUtil.getBytes(first);
        Wire.Meta read = CompactEntry.readPublish(firstBytes, 0, firstBytes.length);
        assertThat(read.mimeType()).isNull();
        assertThat(read.fieldsOrEmpty().type).isEqualTo("[B");
        assertThat(read.fieldsOrEmpty().toFields()).usingRecursiveComparison().isEqualTo(io.daak.core.Fields.none());

        Instant ts = Instant.parse("2026-12-06T01:02:03.123456789Z");
        WireFields rich = WireFields.of(io.daak.core.Fields.none()
                .header("trace", "00-abc")
                .sender("robot-7")
                .priority(3)
                .ttl(java.time.Duration.ofSeconds(2))
                .timestamp(ts));
        rich.type = "com.example.Reading";
        ByteBuf m = CompactEntry.publishMetadata("application/cbor", rich);
        // Inside a larger array, read where it lies.
        byte[] around = new byte[2 + m.readableBytes() + 3];
        m.getBytes(m.readerIndex(), around, 2, m.readableBytes());
        Wire.Meta back = CompactEntry.readPublish(around, 2, m.readableBytes());
        assertThat(back.mimeType()).isEqualTo("application/cbor");
        WireFields f = back.fieldsOrEmpty();
        assertThat(f.type).isEqualTo("com.example.Reading");
        assertThat(f.toFields())
                .usingRecursiveComparison()
                .isEqualTo(io.daak.core.Fields.none()
                        .header("trace", "00-abc")
                        .sender("robot-7")
                        .priority(3)
                        .ttl(java.time.Duration.ofSeconds(2))
                        .timestamp(ts));
    }

    @Test
    void shouldNameWhatIsWrongInACompactPublishEntry() {
        assertThatThrownBy(() -> CompactEntry.readPublish(new byte[0], 0, 0))
                .hasMessageContaining("truncated in its flags");
        assertThatThrownBy(() -> CompactEntry.readPublish(new byte[] {(byte) 0x80}, 0, 1))
                .hasMessageContaining("unknown flags 128");
        assertThatThrownBy(() -> CompactEntry.readPublish(new byte[] {CompactEntry.TYPE, 0, 0, 0, 9, 'a'}, 0, 6))
                .hasMessageContaining("announces 9 bytes of type but 1 follow");
        assertThatThrownBy(() -> CompactEntry.readPublish(new byte[] {0, 1}, 0, 2))
                .hasMessageContaining("1 bytes after its last part");
        assertThatThrownBy(() -> CompactEntry.readPublish(new byte[] {CompactEntry.FIELDS, '{', '"'}, 0, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
