package io.daak.codec;

import io.daak.core.Codec;
import io.daak.core.CodecException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The codecs known by MIME type, with lookup by Java type and conversion between formats.
 *
 * <pre>{@code
 * CodecRegistry codecs = CodecRegistry.defaults();              // JSON, CBOR, UTF-8, raw bytes, yours
 * Codec cbor = codecs.byMimeType("application/cbor");
 * Reading r = codecs.decode("sensors/imu", data, "application/json", Reading.class, cbor);
 * }</pre>
 *
 * <p>MIME types compare without case and without parameters other than {@code charset}
 * ({@code Application/JSON} finds the JSON codec); {@code text/plain} without a charset is UTF-8 text. Custom codecs register in
 * {@code META-INF/services/io.daak.core.Codec} and are found by {@link #defaults()}; a later codec of
 * the same MIME type replaces an earlier one. Immutable and thread-safe.
 */
public final class CodecRegistry {

    private final Map<String, Codec> byMime;

    private CodecRegistry(Map<String, Codec> byMime) {
        this.byMime = Collections.unmodifiableMap(byMime);
    }

    /**
     * The core's UTF-8 and raw-bytes codecs, then every codec registered through
     * {@link ServiceLoader} (this module registers JSON and CBOR).
     *
     * @return the registry
     */
    public static CodecRegistry defaults() {
        List<Codec> codecs = new ArrayList<>();
        codecs.add(Codec.utf8());
        codecs.add(Codec.bytes());
        for (Codec c : ServiceLoader.load(Codec.class, CodecRegistry.class.getClassLoader())) {
            codecs.add(c);
        }
        return of(codecs.toArray(new Codec[0]));
    }

    /**
     * A registry of exactly these codecs; for a Java type the first that supports it wins.
     *
     * @param codecs the codecs, in order of preference
     * @return the registry
     */
    public static CodecRegistry of(Codec... codecs) {
        Map<String, Codec> map = new LinkedHashMap<>();
        for (Codec c : codecs) {
            Objects.requireNonNull(c, "codec");
            map.remove(normalize(c.mimeType()));
            map.put(normalize(c.mimeType()), c);
        }
        return new CodecRegistry(map);
    }

    /**
     * This registry with one more codec, which replaces one of the same MIME type.
     *
     * @param codec the codec
     * @return a new registry
     */
    public CodecRegistry with(Codec codec) {
        List<Codec> all = new ArrayList<>(byMime.values());
        all.add(Objects.requireNonNull(codec, "codec"));
        return of(all.toArray(new Codec[0]));
    }

    /**
     * The codec of a MIME type.
     *
     * @param mimeType e.g. {@code application/json}
     * @return the codec
     * @throws IllegalArgumentException naming the MIME type and the known ones
     */
    public Codec byMimeType(String mimeType) {
        return find(mimeType)
                .orElseThrow(() -> new IllegalArgumentException("mimeType='" + mimeType + "' has no codec; known: "
                        + byMime.keySet() + " (register one in META-INF/services/io.daak.core.Codec)"));
    }

    /**
     * The codec of a MIME type, if there is one.
     *
     * @param mimeType e.g. {@code application/cbor}
     * @return the codec, or empty
     */
    public Optional<Codec> find(String mimeType) {
        return Optional.ofNullable(byMime.get(normalize(Objects.requireNonNull(mimeType, "mimeType"))));
    }

    /**
     * The preferred codec for a Java type: the first registered codec of specific types that supports
     * it ({@code String} goes to UTF-8, {@code byte[]} to raw bytes, generated Protobuf, FlatBuffers and
     * Cap'n Proto types to their codecs), else the first general one (JSON in {@link #defaults()}).
     *
     * @param type the Java type
     * @return the codec
     * @throws IllegalArgumentException when no codec supports the type
     */
    public Codec forType(Class<?> type) {
        // Codecs of specific types first; JSON and CBOR, which take almost any type, last.
        for (Codec c : byMime.values()) {
            if (!(c instanceof JacksonCodec) && c.supports(type)) {
                return c;
            }
        }
        for (Codec c : byMime.values()) {
            if (c.supports(type)) {
                return c;
            }
        }
        throw new IllegalArgumentException(
                "type=" + type.getName() + " is supported by none of the codecs " + byMime.keySet());
    }

    /**
     * The MIME types known.
     *
     * @return the normalised MIME types, in registration order
     */
    public List<String> mimeTypes() {
        return List.copyOf(byMime.keySet());
    }

    /**
     * Decodes bytes that arrived in {@code sentMimeType} for a receiver that expects {@code expected}:
     * directly when the formats agree, through the sender's codec when the two formats share a value
     * model (JSON and CBOR), and otherwise a codec mismatch.
     *
     * @param topic where the bytes came from, for the error message
     * @param data the bytes, lent for the call
     * @param sentMimeType the MIME type the sender declared
     * @param type the Java type the receiver expects
     * @param expected the receiver's codec
     * @param <T> the value type
     * @return the value
     * @throws CodecException naming topic, sent and expected MIME types on a mismatch or bad bytes
     */
    public <T> T decode(String topic, ByteBuf data, String sentMimeType, Class<T> type, Codec expected) {
        Codec sent = sameFormat(sentMimeType, expected) ? expected : converter(topic, sentMimeType, expected);
        try {
            return sent.decode(data, type);
        } catch (CodecException e) {
            throw new CodecException("topic '" + topic + "': " + e.getMessage(), e);
        }
    }

    /**
     * Re-encodes bytes from one format into another for the same Java type, e.g. JSON into CBOR.
     *
     * @param data the bytes, lent for the call
     * @param fromMimeType their format
     * @param toMimeType the format wanted
     * @param type the Java type they encode
     * @param allocator where to allocate the result
     * @param <T> the value type
     * @return a new buffer owned by the caller
     * @throws CodecException when the formats do not share a value model or the bytes are bad
     */
    public <T> ByteBuf transcode(
            ByteBuf data, String fromMimeType, String toMimeType, Class<T> type, ByteBufAllocator allocator) {
        Codec to = byMimeType(toMimeType);
        Codec from = sameFormat(fromMimeType, to) ? to : converter("(transcode)", fromMimeType, to);
        return to.encode(from.decode(data, type), type, allocator);
    }

    private static boolean sameFormat(String mimeType, Codec codec) {
        return normalize(mimeType).equals(normalize(codec.mimeType()));
    }

    /** The sender's codec when its format converts losslessly into the expected one, else a mismatch. */
    private Codec converter(String topic, String sentMimeType, Codec expected) {
        Codec sent = byMime.get(normalize(sentMimeType));
        if (sent instanceof JacksonCodec && expected instanceof JacksonCodec) {
            return sent;
        }
        throw new CodecException("codec mismatch on topic '" + topic + "': the sender sent " + sentMimeType
                + " but the receiver expects " + expected.mimeType()
                + (sent == null ? " (and no codec for " + sentMimeType + " is registered)" : "")
                + "; use the same codec on both sides or formats that transcode (JSON and CBOR)");
    }

    /** Lower case, without parameters other than charset; bare {@code text/plain} is UTF-8 text. */
    static String normalize(String mimeType) {
        String[] parts = mimeType.split(";");
        StringBuilder sb = new StringBuilder(parts[0].trim().toLowerCase(Locale.ROOT));
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim().toLowerCase(Locale.ROOT).replace(" ", "");
            if (p.startsWith("charset=")) {
                sb.append("; ").append(p);
            }
        }
        // RSocket's only well-known text type (id 0x21) is text/plain without a charset, which clients in
        // other languages send for strings; its default, US-ASCII, is a subset of UTF-8.
        return sb.toString().equals("text/plain") ? "text/plain; charset=utf-8" : sb.toString();
    }

    @Override
    public String toString() {
        return "CodecRegistry" + byMime.keySet();
    }
}
