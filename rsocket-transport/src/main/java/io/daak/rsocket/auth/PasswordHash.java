package io.daak.rsocket.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.KeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The hashes a node's security configuration stores instead of secrets.
 *
 * <ul>
 *   <li>Passwords: {@code pbkdf2-sha256:<iterations>:<salt, base64>:<hash, base64>}, PBKDF2 with
 *       HMAC-SHA256, a random 16-byte salt per password and a 256-bit hash. The iteration count is part
 *       of the string, so old hashes keep working when the default grows.
 *   <li>Bearer tokens: {@code sha256:<hex>}. Tokens are long random strings, so a plain SHA-256 is
 *       enough (no salt, no stretching), and the node finds a token's identity with one hash.
 * </ul>
 *
 * <pre>{@code
 * String stored = PasswordHash.hash("s3cret".toCharArray());   // put this in the config file
 * boolean ok = PasswordHash.verify("s3cret".toCharArray(), stored);
 * }</pre>
 *
 * <p>Comparisons take the same time whatever bytes differ. Stateless and thread-safe.
 */
public final class PasswordHash {

    /** The PBKDF2 iterations of new password hashes (OWASP 2023 guidance for PBKDF2-HMAC-SHA256: 600,000). */
    public static final int DEFAULT_ITERATIONS = 600_000;

    /** The prefix of password hashes. */
    public static final String PBKDF2 = "pbkdf2-sha256";

    /** The prefix of token hashes. */
    public static final String SHA256 = "sha256";

    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {}

    /**
     * Hashes a password with a new random salt and {@link #DEFAULT_ITERATIONS}.
     *
     * @param password the password; not kept
     * @return the stored form, {@code pbkdf2-sha256:iterations:salt:hash}
     */
    public static String hash(char[] password) {
        return hash(password, DEFAULT_ITERATIONS);
    }

    /**
     * Hashes a password with a new random salt.
     *
     * @param password the password; not kept
     * @param iterations at least 1,000 (tests use few; production the default)
     * @return the stored form, {@code pbkdf2-sha256:iterations:salt:hash}
     */
    public static String hash(char[] password, int iterations) {
        Objects.requireNonNull(password, "password");
        if (iterations < 1000) {
            throw new IllegalArgumentException("iterations=" + iterations + " must be at least 1000");
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = pbkdf2(password, salt, iterations, HASH_BITS);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PBKDF2 + ":" + iterations + ":" + b64.encodeToString(salt) + ":" + b64.encodeToString(hash);
    }

    /**
     * Whether a password matches a stored hash.
     *
     * @param password the password given
     * @param stored a {@code pbkdf2-sha256:...} string
     * @return true when it matches
     * @throws IllegalArgumentException when {@code stored} is not a password hash
     */
    public static boolean verify(char[] password, String stored) {
        Parsed p = parse(stored);
        byte[] actual = pbkdf2(password, p.salt, p.iterations, p.hash.length * 8);
        return MessageDigest.isEqual(actual, p.hash);
    }

    private record Parsed(int iterations, byte[] salt, byte[] hash) {}

    private static Parsed parse(String stored) {
        String[] parts = stored.split(":", -1);
        if (parts.length != 4 || !parts[0].equals(PBKDF2)) {
            throw new IllegalArgumentException(
                    "a password hash is '" + PBKDF2 + ":<iterations>:<salt>:<hash>' (make one with `daak passwd`), "
                            + "not '" + abbreviate(stored) + "'");
        }
        try {
            Parsed p = new Parsed(
                    Integer.parseInt(parts[1]),
                    Base64.getDecoder().decode(parts[2]),
                    Base64.getDecoder().decode(parts[3]));
            if (p.iterations < 1 || p.hash.length == 0 || p.salt.length == 0) {
                throw new IllegalArgumentException("iterations, salt or hash missing");
            }
            return p;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "malformed password hash '" + abbreviate(stored) + "': " + e.getMessage(), e);
        }
    }

    /**
     * Checks that a string is a well-formed password hash, without a password.
     *
     * @param stored the string
     * @throws IllegalArgumentException when it is not
     */
    public static void checkPasswordHash(String stored) {
        parse(stored);
    }

    /**
     * Hashes a bearer token.
     *
     * @param token the token; not kept
     * @return the stored form, {@code sha256:<hex>}
     */
    public static String hashToken(char[] token) {
        return SHA256 + ":" + HexFormat.of().formatHex(sha256(token));
    }

    /**
     * Whether a token matches a stored token hash.
     *
     * @param token the token given
     * @param stored a {@code sha256:<hex>} string
     * @return true when it matches
     */
    public static boolean verifyToken(char[] token, String stored) {
        byte[] expected = tokenDigest(stored);
        return MessageDigest.isEqual(sha256(token), expected);
    }

    /** The digest in a {@code sha256:<hex>} string. */
    static byte[] tokenDigest(String stored) {
        if (!stored.startsWith(SHA256 + ":")) {
            throw new IllegalArgumentException("a token hash is '" + SHA256
                    + ":<hex>' (make one with `daak passwd --token`), not '" + abbreviate(stored) + "'");
        }
        try {
            byte[] d = HexFormat.of().parseHex(stored.substring(SHA256.length() + 1));
            if (d.length != 32) {
                throw new IllegalArgumentException("a SHA-256 digest has 64 hex digits");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "malformed token hash '" + abbreviate(stored) + "': " + e.getMessage(), e);
        }
    }

    static byte[] sha256(char[] token) {
        byte[] bytes = utf8(token);
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static byte[] utf8(char[] chars) {
        java.nio.ByteBuffer b = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        if (b.hasArray()) {
            Arrays.fill(b.array(), (byte) 0);
        }
        return out;
    }

    private static byte[] pbkdf2(char[] password, byte[] salt, int iterations, int bits) {
        KeySpec spec = new PBEKeySpec(password, salt, iterations, bits);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(spec)
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no PBKDF2WithHmacSHA256", e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 24 ? s : s.substring(0, 24) + "...";
    }
}
