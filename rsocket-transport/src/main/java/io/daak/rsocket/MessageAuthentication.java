package io.daak.rsocket;

import io.daak.rsocket.auth.Access;
import io.daak.rsocket.auth.Permission;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Message authentication between clients, independent of the node: on the topics a key covers, the
 * publishing client adds an HMAC-SHA256 of the message (header {@value #HEADER}) and every subscribing
 * client that holds the key verifies it. A message whose MAC is missing or wrong is dropped and counted
 * ({@link #rejected()}), never delivered. The node neither needs nor sees the key, so a node (or a
 * network path) that alters, forges or re-routes a message cannot make a subscriber accept it.
 *
 * <pre>{@code
 * byte[] key = ...;   // 32 random bytes shared by the clients of "orders/**"
 * MessageAuthentication mac = MessageAuthentication.hmacSha256("orders/**", key);
 * Daak daak = ConnectOptions.defaults().messageAuthentication(mac).connect("tcp://node:7878");
 * daak.subscribe(Selector.of("orders/**", Order.class)).subscribe(...);   // only authentic orders
 * long forged = mac.rejected();
 * }</pre>
 *
 * <p>The MAC covers, length-prefixed: a version tag, the topic, the data MIME type, the value's Java type
 * name (or none), the headers other than {@value #HEADER} sorted by name, and the encoded value bytes.
 * It does not cover what the node assigns or may replace (sequence, timestamp, sender), and it does not
 * stop a node from replaying an authentic message or withholding one: add a unique header (an id or a
 * timestamp) and check it in the application when that matters.
 *
 * <p>Thread-safe; one instance may serve several handles, which then share its counters.
 */
public final class MessageAuthentication {

    /** The header that carries the MAC: {@code v1:<base64url>}. */
    public static final String HEADER = "daak-mac";

    private static final String VERSION = "v1";
    private static final byte[] TAG = "daak-mac-v1".getBytes(StandardCharsets.US_ASCII);

    private record Rule(Access topics, SecretKeySpec key) {}

    private final List<Rule> rules;
    private final AtomicLong signed = new AtomicLong();
    private final AtomicLong verified = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    private MessageAuthentication(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /**
     * No keys: nothing is signed or verified.
     *
     * @return a new instance without keys
     */
    public static MessageAuthentication none() {
        return new MessageAuthentication(List.of());
    }

    /**
     * One key for the topics a pattern selects.
     *
     * @param pattern topics, {@code *} one segment and {@code **} any, e.g. {@code orders/**}
     * @param key the shared secret, at least 16 bytes (32 random bytes recommended); copied
     * @return a new instance
     */
    public static MessageAuthentication hmacSha256(String pattern, byte[] key) {
        return new MessageAuthentication(List.of()).and(pattern, key);
    }

    /**
     * These keys and one more; the first pattern that selects a topic gives its key.
     *
     * @param pattern topics
     * @param key the shared secret, at least 16 bytes; copied
     * @return a new instance with its own counters
     */
    public MessageAuthentication and(String pattern, byte[] key) {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(key, "key");
        if (key.length < 16) {
            throw new IllegalArgumentException(
                    "key length=" + key.length + " must be at least 16 bytes (32 recommended)");
        }
        List<Rule> more = new ArrayList<>(rules);
        more.add(new Rule(
                Access.none().allow(Permission.SUBSCRIBE, pattern), new SecretKeySpec(key.clone(), "HmacSHA256")));
        return new MessageAuthentication(more);
    }

    /**
     * How many received messages were dropped because their MAC was missing or wrong.
     *
     * @return the count since this instance was made
     */
    public long rejected() {
        return rejected.get();
    }

    /**
     * How many received messages carried a good MAC.
     *
     * @return the count
     */
    public long verified() {
        return verified.get();
    }

    /**
     * How many published messages this client signed.
     *
     * @return the count
     */
    public long signed() {
        return signed.get();
    }

    boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Whether a key covers the topic. */
    boolean covers(String topic) {
        return key(topic) != null;
    }

    private @Nullable SecretKeySpec key(String topic) {
        if (rules.isEmpty()) {
            return null;
        }
        for (Rule r : rules) {
            if (r.topics.allows(Permission.SUBSCRIBE, topic)) {
                return r.key;
            }
        }
        return null;
    }

    /**
     * Headers with the MAC added, when a key covers the topic; otherwise the headers as given.
     *
     * @param data the encoded value (not consumed)
     */
    Map<String, String> sign(
            String topic, String mimeType, @Nullable String type, Map<String, String> headers, ByteBuf data) {
        SecretKeySpec key = key(topic);
        if (key == null) {
            return headers;
        }
        Map<String, String> out = new TreeMap<>(headers);
        out.put(
                HEADER,
                VERSION + ":"
                        + Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(mac(key, topic, mimeType, type, headers, data)));
        signed.incrementAndGet();
        return out;
    }

    /**
     * Whether a received message may be delivered: true when no key covers its topic or its MAC is
     * good; false (and counted) when it is missing or wrong.
     */
    boolean verify(String topic, String mimeType, @Nullable String type, Map<String, String> headers, ByteBuf data) {
        SecretKeySpec key = key(topic);
        if (key == null) {
            return true;
        }
        String given = headers.get(HEADER);
        boolean ok = false;
        if (given != null && given.startsWith(VERSION + ":")) {
            try {
                byte[] mac = Base64.getUrlDecoder().decode(given.substring(VERSION.length() + 1));
                ok = MessageDigest.isEqual(mac, mac(key, topic, mimeType, type, headers, data));
            } catch (IllegalArgumentException e) {
                ok = false;
            }
        }
        (ok ? verified : rejected).incrementAndGet();
        return ok;
    }

    private static byte[] mac(
            SecretKeySpec key,
            String topic,
            String mimeType,
            @Nullable String type,
            Map<String, String> headers,
            ByteBuf data) {
        Mac mac;
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 refused the key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256", e);
        }
        field(mac, TAG);
        field(mac, topic);
        field(mac, mimeType);
        field(mac, type != null ? type : "");
        Map<String, String> sorted = new TreeMap<>(headers);
        sorted.remove(HEADER);
        int count = sorted.size();
        mac.update(new byte[] {(byte) (count >>> 24), (byte) (count >>> 16), (byte) (count >>> 8), (byte) count});
        sorted.forEach((k, v) -> {
            field(mac, k);
            field(mac, v);
        });
        int n = data.readableBytes();
        length(mac, n);
        mac.update(data.nioBuffer(data.readerIndex(), n));
        return mac.doFinal();
    }

    private static void field(Mac mac, String s) {
        field(mac, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void field(Mac mac, byte[] bytes) {
        length(mac, bytes.length);
        mac.update(bytes);
    }

    private static void length(Mac mac, int n) {
        mac.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    }

    @Override
    public String toString() {
        return rules.isEmpty() ? "MessageAuthentication[none]" : "MessageAuthentication[" + rules.size() + " keys]";
    }
}
