package io.daak.rsocket;

import io.daak.core.Daak;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a client connects to a node beyond what the URI says: credentials, the certificates it trusts
 * for TLS, and keys for message authentication between clients.
 *
 * <pre>{@code
 * Daak daak = ConnectOptions.defaults()
 *     .user("alice", password)                       // or .token(token)
 *     .trust(Path.of("node-ca.pem"))                 // for tls:// and wss://
 *     .messageAuthentication(MessageAuthentication.hmacSha256("orders/**", key))
 *     .connect("tls://node.example:7878");
 * }</pre>
 *
 * <p>{@link Daak#connect(String)} reads the same settings from the URI: {@code tcp://user:password@host:port}
 * (user and password URL-encoded), {@code ?token=...} for a bearer token, and the trust file from the
 * system property {@code daak.tls.trust}. Options given here win over the URI's.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConnectOptions {

    private static final ConnectOptions DEFAULTS =
            new ConnectOptions(null, null, null, null, MessageAuthentication.none());

    private final @Nullable String user;
    private final @Nullable String password;
    private final @Nullable String token;
    private final @Nullable Path trust;
    private final MessageAuthentication messageAuthentication;

    private ConnectOptions(
            @Nullable String user,
            @Nullable String password,
            @Nullable String token,
            @Nullable Path trust,
            MessageAuthentication messageAuthentication) {
        this.user = user;
        this.password = password;
        this.token = token;
        this.trust = trust;
        this.messageAuthentication = messageAuthentication;
    }

    /**
     * No credentials, the JVM's trust store (or {@code daak.tls.trust}), no message authentication.
     *
     * @return the defaults
     */
    public static ConnectOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Authenticates with a user and password (RSocket simple authentication); replaces a token.
     *
     * @param user the user name
     * @param password the password
     * @return new options
     */
    public ConnectOptions user(String user, String password) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.isEmpty() || user.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("user='" + user + "' must be 1..255 bytes of UTF-8");
        }
        return new ConnectOptions(user, password, null, trust, messageAuthentication);
    }

    /**
     * Authenticates with a bearer token; replaces a user and password.
     *
     * @param token the token
     * @return new options
     */
    public ConnectOptions token(String token) {
        Objects.requireNonNull(token, "token");
        if (token.isEmpty()) {
            throw new IllegalArgumentException("token must not be empty");
        }
        return new ConnectOptions(null, null, token, trust, messageAuthentication);
    }

    /**
     * Trusts the certificates in a PEM file (a private CA, or the node's self-signed certificate) for
     * {@code tls://} and {@code wss://}, instead of the JVM's trust store.
     *
     * @param pemCertificates a readable PEM file
     * @return new options
     */
    public ConnectOptions trust(Path pemCertificates) {
        Objects.requireNonNull(pemCertificates, "pemCertificates");
        if (!java.nio.file.Files.isReadable(pemCertificates)) {
            throw new IllegalArgumentException("pemCertificates=" + pemCertificates + " is not a readable file");
        }
        return new ConnectOptions(user, password, token, pemCertificates, messageAuthentication);
    }

    /**
     * Signs what this client publishes, and verifies what it receives, on the topics the given keys
     * cover.
     *
     * @param messageAuthentication the keys (and the counters of rejected messages)
     * @return new options
     */
    public ConnectOptions messageAuthentication(MessageAuthentication messageAuthentication) {
        Objects.requireNonNull(messageAuthentication, "messageAuthentication");
        return new ConnectOptions(user, password, token, trust, messageAuthentication);
    }

    /**
     * Opens a handle to a node: {@code tcp://}, {@code tls://} (TCP with TLS), {@code ws://} or
     * {@code wss://}. Connects lazily, like {@link Daak#connect(String)}.
     *
     * @param uri the node's URI
     * @return the handle
     */
    public Daak connect(String uri) {
        Objects.requireNonNull(uri, "uri");
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("uri='" + uri + "' is not a valid URI: " + e.getMessage(), e);
        }
        return RemoteConnector.connect(parsed, this);
    }

    @Nullable
    String user() {
        return user;
    }

    @Nullable
    String password() {
        return password;
    }

    @Nullable
    String token() {
        return token;
    }

    @Nullable
    Path trust() {
        return trust;
    }

    MessageAuthentication messageAuthentication() {
        return messageAuthentication;
    }

    /** These options with the URI's credentials where these have none. */
    ConnectOptions withUriCredentials(
            @Nullable String uriUser, @Nullable String uriPassword, @Nullable String uriToken) {
        if (user != null || token != null) {
            return this;
        }
        if (uriToken != null) {
            return token(uriToken);
        }
        if (uriUser != null) {
            return user(uriUser, uriPassword != null ? uriPassword : "");
        }
        return this;
    }

    @Override
    public String toString() {
        return "ConnectOptions[" + (user != null ? "user=" + user : token != null ? "token=***" : "anonymous")
                + (trust != null ? ", trust=" + trust : "") + ", " + messageAuthentication + "]";
    }
}
