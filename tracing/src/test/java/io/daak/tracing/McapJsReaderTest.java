package io.daak.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Api;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Timestamp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An independent MCAP reader, npm {@code @mcap/core} (its streaming and indexed readers), reads a file
 * Daak wrote: topics, encodings, counts, payloads and the summary. Needs
 * {@code npm ci --prefix tracing/src/test/js}.
 */
class McapJsReaderTest {

    private static final Path SCRIPT_DIR = Path.of("src", "test", "js").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void shouldBeReadableByTheMcapJavaScriptLibrary() throws Exception {
        if (!Files.isDirectory(
                SCRIPT_DIR.resolve("node_modules").resolve("@mcap").resolve("core"))) {
            fail("@mcap/core is not installed in " + SCRIPT_DIR.resolve("node_modules")
                    + ": run `npm ci --prefix tracing/src/test/js` from the repository root (needs Node.js 18+)");
        }
        Path file = McapTest.recordSample(dir.resolve("sample.mcap"));
        // Kept for a look when the reader disagrees.
        Files.copy(file, Path.of("target", "sample.mcap"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        JsonNode out = new ObjectMapper().readTree(runReader(file));

        assertThat(out.get("messages").asInt()).isEqualTo(3);
        assertThat(out.get("footer").asBoolean()).isTrue();
        JsonNode channels = out.get("channels");
        assertThat(channels.fieldNames()).toIterable().containsExactly("chat/room", "sensors/t1", "blobs/b");

        JsonNode chat = channels.get("chat/room");
        assertThat(chat.get("encoding").asText()).isEqualTo("text/plain; charset=utf-8");
        assertThat(chat.get("count").asInt()).isEqualTo(1);
        assertThat(payload(chat)).isEqualTo("hello");
        assertThat(chat.get("metadata").get("daak.javaType").asText()).isEqualTo("java.lang.String");

        JsonNode sensor = channels.get("sensors/t1");
        assertThat(sensor.get("encoding").asText()).isEqualTo("application/json");
        assertThat(payload(sensor)).isEqualTo("{\"sensor\":\"t1\",\"value\":21.5}");

        JsonNode blob = channels.get("blobs/b");
        assertThat(blob.get("encoding").asText()).isEqualTo("application/octet-stream");
        assertThat(Base64.getDecoder().decode(blob.get("payloads").get(0).asText()))
                .containsExactly(1, 2, 3);

        assertThat(out.get("statistics").get("messageCount").asInt()).isEqualTo(3);
        assertThat(out.get("statistics").get("channelCount").asInt()).isEqualTo(3);
        assertThat(out.get("indexed").get("channels")).hasSize(3);
        assertThat(out.get("indexed").get("messageCount").asInt()).isEqualTo(3);
        assertThat(out.get("indexed").get("chunkCount").asInt()).isEqualTo(1);
        JsonNode viaIndex = out.get("indexed").get("messagesByTopic");
        assertThat(viaIndex.get("chat/room").asInt()).isEqualTo(1);
        assertThat(viaIndex.get("sensors/t1").asInt()).isEqualTo(1);
        assertThat(viaIndex.get("blobs/b").asInt()).isEqualTo(1);
    }

    @Test
    void shouldCarryProtobufSchemasThatTheReaderSees() throws Exception {
        if (!Files.isDirectory(
                SCRIPT_DIR.resolve("node_modules").resolve("@mcap").resolve("core"))) {
            fail("@mcap/core is not installed: run `npm ci --prefix tracing/src/test/js`");
        }
        Path file = McapTest.recordProtobufSample(dir.resolve("proto.mcap"));
        JsonNode out = new ObjectMapper().readTree(runReader(file));

        JsonNode ts = out.get("channels").get("pb/time");
        assertThat(ts.get("encoding").asText()).isEqualTo("protobuf");
        assertThat(ts.get("metadata").get("daak.mimeType").asText()).isEqualTo("application/x-protobuf");
        assertThat(ts.get("metadata").get("daak.javaType").asText()).isEqualTo(Timestamp.class.getName());
        JsonNode tsSchema = out.get("schemas").get(ts.get("schemaId").asText());
        assertThat(tsSchema.get("name").asText()).isEqualTo("google.protobuf.Timestamp");
        assertThat(tsSchema.get("encoding").asText()).isEqualTo("protobuf");
        assertThat(FileDescriptorSet.parseFrom(base64(tsSchema.get("data"))).getFileList())
                .extracting(f -> f.getName())
                .containsExactly("google/protobuf/timestamp.proto");
        assertThat(Timestamp.parseFrom(base64(ts.get("payloads").get(0)))).isEqualTo(McapTest.TIME);

        JsonNode api = out.get("channels").get("pb/api");
        JsonNode apiSchema = out.get("schemas").get(api.get("schemaId").asText());
        assertThat(apiSchema.get("name").asText()).isEqualTo("google.protobuf.Api");
        // Every imported file, each before the files importing it, so a reader can build the descriptors.
        List<String> files = FileDescriptorSet.parseFrom(base64(apiSchema.get("data"))).getFileList().stream()
                .map(f -> f.getName())
                .toList();
        assertThat(files)
                .containsExactlyInAnyOrder(
                        "google/protobuf/source_context.proto",
                        "google/protobuf/any.proto",
                        "google/protobuf/type.proto",
                        "google/protobuf/api.proto");
        assertThat(files.indexOf("google/protobuf/any.proto")).isLessThan(files.indexOf("google/protobuf/type.proto"));
        assertThat(files.get(files.size() - 1)).isEqualTo("google/protobuf/api.proto");
        assertThat(Api.parseFrom(base64(api.get("payloads").get(0)))).isEqualTo(McapTest.API);

        JsonNode text = out.get("channels").get("chat/room");
        assertThat(text.get("schemaId").asInt()).isZero();
        assertThat(text.get("encoding").asText()).isEqualTo("text/plain; charset=utf-8");

        assertThat(out.get("statistics").get("schemaCount").asInt()).isEqualTo(2);
        assertThat(out.get("indexed").get("schemas"))
                .extracting(JsonNode::asText)
                .containsExactly("google.protobuf.Api", "google.protobuf.Timestamp");
        assertThat(out.get("messages").asInt()).isEqualTo(4);
    }

    private static byte[] base64(JsonNode text) {
        return Base64.getDecoder().decode(text.asText());
    }

    @Test
    void shouldReadManyChunksThroughTheirIndexes() throws Exception {
        if (!Files.isDirectory(
                SCRIPT_DIR.resolve("node_modules").resolve("@mcap").resolve("core"))) {
            fail("@mcap/core is not installed: run `npm ci --prefix tracing/src/test/js`");
        }
        Path file = dir.resolve("many.mcap");
        try (McapRecorder rec = McapRecorder.over(
                java.nio.channels.FileChannel.open(
                        file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE),
                file.toString(),
                4096)) {
            for (int i = 0; i < 999; i++) {
                byte[] v = ("value " + i).getBytes(StandardCharsets.UTF_8);
                rec.write(new RecordedMessage(
                        "t/" + (i % 3), io.daak.core.RawValue.of(v, "text/plain", null), i / 3 + 1, 1_000L * i, i));
            }
        }
        JsonNode out = new ObjectMapper().readTree(runReader(file));
        assertThat(out.get("messages").asInt()).isEqualTo(999);
        assertThat(out.get("indexed").get("chunkCount").asInt()).isGreaterThan(3);
        JsonNode viaIndex = out.get("indexed").get("messagesByTopic");
        assertThat(viaIndex.get("t/0").asInt()
                        + viaIndex.get("t/1").asInt()
                        + viaIndex.get("t/2").asInt())
                .isEqualTo(999);
        assertThat(Replay.of(file).asFastAsPossible().recorded().count().block())
                .isEqualTo(999);
    }

    private static String payload(JsonNode channel) {
        return new String(
                Base64.getDecoder().decode(channel.get("payloads").get(0).asText()), StandardCharsets.UTF_8);
    }

    private String runReader(Path file) throws IOException, InterruptedException {
        Path stdout = dir.resolve("read.out");
        Path stderr = dir.resolve("read.err");
        List<String> command = List.of("node", "read.mjs", file.toString());
        Process p = new ProcessBuilder(command)
                .directory(SCRIPT_DIR.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        boolean exited = p.waitFor(30, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        String report = String.join(" ", command) + (exited ? " exited " + p.exitValue() : " was killed") + "\n"
                + Files.readString(stdout) + Files.readString(stderr);
        assertThat(exited).as(report).isTrue();
        assertThat(p.exitValue()).as(report).isZero();
        return Files.readString(stdout);
    }
}
