package io.daak.rsocket.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daak.core.Daak;
import io.netty.buffer.ByteBuf;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.metadata.AuthMetadataCodec;
import io.rsocket.metadata.CompositeMetadata;
import io.rsocket.metadata.WellKnownAuthType;
import io.rsocket.metadata.WellKnownMimeType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A node's identities and their access rules: who may connect (user and password, or a bearer token,
 * sent in the SETUP frame's standard authentication metadata) and what each may do. Give it to
 * {@code DaakNode.builder().security(...)}; the file format is in {@code docs/security.md}:
 *
 * <pre>{@code
 * {
 *   "identities": {
 *     "alice":  { "password": "pbkdf2-sha256:600000:...:...",
 *                 "allow": { "publish": ["sensors/**"], "subscribe": ["**"] } },
 *     "robot":  { "tokens": ["sha256:9f86d0..."],
 *                 "allow": { "all": ["robots/**"] } }
 *   },
 *   "anonymous": { "allow": { "subscribe": ["public/**"] } }
 * }
 * }</pre>
 *
 * <p>Without {@code anonymous}, a connection without credentials is refused. Wrong credentials are
 * always refused, with a reason that does not say whether the user or the password was wrong; an
 * unknown user costs the same password hashing as a known one. Password hashing runs off the event
 * loop, once per user and password: a later connection with the same password is checked against a
 * keyed digest kept in memory.
 *
 * <p>Immutable after construction and thread-safe.
 */
public final class NodeSecurity {

    private static final Logger log = LoggerFactory.getLogger(NodeSecurity.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH_MIME = WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION.getString();

    /** The reason a client reads when its credentials are wrong; the same for every wrong part. */
    static final String BAD_CREDENTIALS = "authentication failed: unknown user or wrong password";

    static final String BAD_TOKEN = "authentication failed: unknown or revoked token";

    private record User(Identity identity, @Nullable String passwordHash) {}

    private final Map<String, User> users;
    private final Map<String, Identity> tokens;
    private final @Nullable Identity anonymous;
    private final byte[] pepper = new byte[32];
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();
    private volatile @Nullable String dummyHash;

    private NodeSecurity(Map<String, User> users, Map<String, Identity> tokens, @Nullable Identity anonymous) {
        this.users = Map.copyOf(users);
        this.tokens = Map.copyOf(tokens);
        this.anonymous = anonymous;
        new SecureRandom().nextBytes(pepper);
    }

    /**
     * Reads a configuration file.
     *
     * @param file a JSON file in the format of {@code docs/security.md}
     * @return the configuration
     * @throws IllegalArgumentException when the file cannot be read or is malformed, naming the member
     */
    public static NodeSecurity fromFile(Path file) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the security configuration " + file + ": " + e, e);
        }
        try {
            return fromJson(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a configuration.
     *
     * @param json the configuration as JSON text
     * @return the configuration
     * @throws IllegalArgumentException when it is malformed, naming the member
     */
    public static NodeSecurity fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the security configuration is not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the security configuration must be a JSON object");
        }
        Builder b = builder();
        checkMembers(root, "the configuration", "identities", "anonymous");
        JsonNode identities = root.path("identities");
        if (!identities.isMissingNode() && !identities.isObject()) {
            throw new IllegalArgumentException("'identities' must be an object of name -> identity");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = identities.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode id = e.getValue();
            String where = "identity '" + name + "'";
            checkMembers(id, where, "password", "tokens", "allow");
            Access access = access(id.path("allow"), where);
            JsonNode password = id.path("password");
            JsonNode tokens = id.path("tokens");
            if (password.isMissingNode() && tokens.isMissingNode()) {
                throw new IllegalArgumentException(where + " has neither a password nor tokens");
            }
            if (!password.isMissingNode()) {
                if (!password.isTextual()) {
                    throw new IllegalArgumentException(where + ": 'password' must be a hash string (`daak passwd`)");
                }
                b.user(name, password.asText(), access);
            }
            if (!tokens.isMissingNode()) {
                if (!tokens.isArray()) {
                    throw new IllegalArgumentException(where + ": 'tokens' must be an array of token hashes");
                }
                for (JsonNode t : tokens) {
                    b.token(name, t.asText(), access);
                }
            }
        }
        JsonNode anon = root.path("anonymous");
        if (!anon.isMissingNode()) {
            checkMembers(anon, "'anonymous'", "allow");
            b.anonymous(access(anon.path("allow"), "'anonymous'"));
        }
        return b.build();
    }

    private static void checkMembers(JsonNode node, String where, String... allowed) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " must be a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Arrays.asList(allowed).contains(f)) {
                throw new IllegalArgumentException(
                        where + " has an unknown member '" + f + "'; expected " + String.join(", ", allowed));
            }
        }
    }

    private static Access access(JsonNode allow, String where) {
        Access a = Access.none();
        if (allow.isMissingNode()) {
            return a;
        }
        if (!allow.isObject()) {
            throw new IllegalArgumentException(where + ": 'allow' must be an object of operation -> [patterns]");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = allow.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isArray()) {
                throw new IllegalArgumentException(
                        where + ": allow." + e.getKey() + " must be an array of patterns, e.g. [\"sensors/**\"]");
            }
            try {
                for (JsonNode pattern : e.getValue()) {
                    if (e.getKey().equals("all")) {
                        for (Permission p : Permission.values()) {
                            a = a.allow(p, pattern.asText());
                        }
                    } else {
                        a = a.allow(Permission.fromConfig(e.getKey()), pattern.asText());
                    }
                }
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException(where + ": " + x.getMessage(), x);
            }
        }
        return a;
    }

    /**
     * An empty configuration to fill in code.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The identities' names.
     *
     * @return the names of users and token holders
     */
    public java.util.Set<String> identities() {
        java.util.Set<String> names = new java.util.TreeSet<>(users.keySet());
        tokens.values().forEach(i -> names.add(i.name()));
        return names;
    }

    /**
     * Authenticates a connection from its SETUP metadata.
     *
     * <p>The metadata is read before this method returns (it need not outlive the call); the
     * password check, when one is needed, runs on a worker thread.
     *
     * @param setupMetadata the SETUP frame's composite metadata, or null when it had none
     * @return the identity, or a {@link RejectedSetupException} with the reason for the client
     */
    public Mono<Identity> authenticate(@Nullable ByteBuf setupMetadata) {
        Credentials c;
        try {
            c = credentials(setupMetadata);
        } catch (RuntimeException e) {
            return Mono.error(new RejectedSetupException("malformed authentication metadata in SETUP (" + AUTH_MIME
                    + " in the composite metadata): " + e.getMessage()));
        }
        if (c == null) {
            if (anonymous != null) {
                return Mono.just(anonymous);
            }
            return Mono.error(new RejectedSetupException("authentication required: this node accepts simple "
                    + "(user and password) or bearer authentication (" + AUTH_MIME
                    + ") in the SETUP frame's composite metadata; e.g. tcp://user:password@host:port"));
        }
        if (c.token != null) {
            char[] token = c.token;
            Identity id = tokens.get(HexFormat.of().formatHex(PasswordHash.sha256(token)));
            Arrays.fill(token, '\0');
            return id != null ? Mono.just(id) : Mono.error(new RejectedSetupException(BAD_TOKEN));
        }
        return password(c.user, c.password);
    }

    private Mono<Identity> password(String user, char[] password) {
        User u = users.get(user);
        byte[] digest = keyed(password);
        if (u != null) {
            byte[] known = verified.get(user);
            if (known != null && MessageDigest.isEqual(known, digest)) {
                Arrays.fill(password, '\0');
                return Mono.just(u.identity);
            }
        }
        return Mono.fromCallable(() -> {
                    try {
                        String hash = u != null && u.passwordHash != null ? u.passwordHash : dummy();
                        boolean ok = PasswordHash.verify(password, hash) && u != null && u.passwordHash != null;
                        if (!ok) {
                            log.info("refused a connection: wrong credentials for user '{}'", user);
                            throw new RejectedSetupException(BAD_CREDENTIALS);
                        }
                        verified.put(user, digest);
                        return u.identity;
                    } finally {
                        Arrays.fill(password, '\0');
                    }
                })
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** A hash to spend the same time on for unknown users, with a configured user's iteration count. */
    private String dummy() {
        String d = dummyHash;
        if (d == null) {
            int iterations = PasswordHash.DEFAULT_ITERATIONS;
            for (User u : users.values()) {
                if (u.passwordHash != null) {
                    iterations = Integer.parseInt(u.passwordHash.split(":")[1]);
                    break;
                }
            }
            d = PasswordHash.hash("not a password".toCharArray(), Math.max(1000, iterations));
            dummyHash = d;
        }
        return d;
    }

    private byte[] keyed(char[] password) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(pepper, "HmacSHA256"));
            for (char ch : password) {
                mac.update((byte) (ch >> 8));
                mac.update((byte) ch);
            }
            return mac.doFinal();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256", e);
        }
    }

    private record Credentials(String user, char[] password, char @Nullable [] token) {}

    private static @Nullable Credentials credentials(@Nullable ByteBuf metadata) {
        if (metadata == null || !metadata.isReadable()) {
            return null;
        }
        for (CompositeMetadata.Entry e : new CompositeMetadata(metadata.slice(), false)) {
            if (!AUTH_MIME.equals(e.getMimeType())) {
                continue;
            }
            ByteBuf content = e.getContent().slice();
            if (!AuthMetadataCodec.isWellKnownAuthType(content)) {
                throw new IllegalArgumentException("authentication type '"
                        + AuthMetadataCodec.readCustomAuthType(content) + "' is not supported; use simple or bearer");
            }
            WellKnownAuthType type = AuthMetadataCodec.readWellKnownAuthType(content);
            if (type == WellKnownAuthType.SIMPLE) {
                String user = new String(AuthMetadataCodec.readUsernameAsCharArray(content));
                return new Credentials(user, AuthMetadataCodec.readPasswordAsCharArray(content), null);
            }
            if (type == WellKnownAuthType.BEARER) {
                return new Credentials("", new char[0], AuthMetadataCodec.readBearerTokenAsCharArray(content));
            }
            throw new IllegalArgumentException(
                    "authentication type " + type + " is not supported; use simple or bearer");
        }
        return null;
    }

    /**
     * The view of the node's engine that one authenticated connection uses: each call checked against
     * the identity's access rules, its sender set to the identity's name.
     *
     * @param engine the node's engine
     * @param identity the connection's identity
     * @return the view; closing it does not close the engine
     */
    public Daak guard(Daak engine, Identity identity) {
        return new GuardedDaak(engine, identity);
    }

    @Override
    public String toString() {
        return "NodeSecurity[identities=" + identities() + (anonymous != null ? ", anonymous" : "") + "]";
    }

    /** Identities given in code; not thread-safe. */
    public static final class Builder {
        private final Map<String, User> users = new LinkedHashMap<>();
        private final Map<String, Identity> tokens = new LinkedHashMap<>();
        private @Nullable Identity anonymous;

        private Builder() {}

        /**
         * A user with a password.
         *
         * @param name the user name
         * @param passwordHash from {@link PasswordHash#hash(char[])}
         * @param access what the user may do
         * @return this builder
         */
        public Builder user(String name, String passwordHash, Access access) {
            Objects.requireNonNull(name, "name");
            PasswordHash.checkPasswordHash(passwordHash);
            if (users.containsKey(name)) {
                throw new IllegalArgumentException("user '" + name + "' is defined twice");
            }
            users.put(name, new User(new Identity(name, access), passwordHash));
            return this;
        }

        /**
         * A bearer token that authenticates as an identity.
         *
         * @param name the identity's name
         * @param tokenHash from {@link PasswordHash#hashToken(char[])}
         * @param access what the identity may do
         * @return this builder
         */
        public Builder token(String name, String tokenHash, Access access) {
            Objects.requireNonNull(name, "name");
            String hex = HexFormat.of().formatHex(PasswordHash.tokenDigest(tokenHash));
            if (tokens.containsKey(hex)) {
                throw new IllegalArgumentException("the same token hash is given twice (identity '" + name + "')");
            }
            tokens.put(hex, new Identity(name, access));
            return this;
        }

        /**
         * Lets connections without credentials in, as {@value Identity#ANONYMOUS}.
         *
         * @param access what they may do
         * @return this builder
         */
        public Builder anonymous(Access access) {
            this.anonymous = new Identity(Identity.ANONYMOUS, access);
            return this;
        }

        /**
         * The configuration.
         *
         * @return the security settings for a node
         */
        public NodeSecurity build() {
            return new NodeSecurity(users, tokens, anonymous);
        }
    }
}
