package io.daak.rsocket.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.metadata.AuthMetadataCodec;
import io.rsocket.metadata.CompositeMetadataCodec;
import io.rsocket.metadata.WellKnownMimeType;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Hashes, access patterns and the configuration file, without a node. */
class NodeSecurityTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void shouldHashAndVerifyPasswordsWithSaltAndIterations() {
        String a = PasswordHash.hash("pw".toCharArray(), 1000);
        String b = PasswordHash.hash("pw".toCharArray(), 1000);
        assertThat(a).startsWith("pbkdf2-sha256:1000:").isNotEqualTo(b);
        assertThat(PasswordHash.verify("pw".toCharArray(), a)).isTrue();
        assertThat(PasswordHash.verify("pW".toCharArray(), a)).isFalse();
        assertThatThrownBy(() -> PasswordHash.verify("pw".toCharArray(), "md5:abc"))
                .hasMessageContaining("daak passwd");
        String t = PasswordHash.hashToken("tok".toCharArray());
        assertThat(t).matches("sha256:[0-9a-f]{64}");
        assertThat(PasswordHash.verifyToken("tok".toCharArray(), t)).isTrue();
        assertThat(PasswordHash.verifyToken("tok2".toCharArray(), t)).isFalse();
    }

    @Test
    void shouldMatchAndOverlapPatterns() {
        Access a = Access.none().allow(Permission.SUBSCRIBE, "sensors/*/temp").allow(Permission.PUBLISH, "a/**");
        assertThat(a.allows(Permission.SUBSCRIBE, "sensors/x/temp")).isTrue();
        assertThat(a.allows(Permission.SUBSCRIBE, "sensors/x/y/temp")).isFalse();
        assertThat(a.allows(Permission.PUBLISH, "a")).isTrue();
        assertThat(a.allows(Permission.PUBLISH, "a/b/c")).isTrue();
        assertThat(a.allows(Permission.PUBLISH, "b")).isFalse();
        assertThat(a.allows(Permission.READ, "a")).isFalse();
        assertThat(a.mayOverlap(Permission.SUBSCRIBE, "sensors/**")).isTrue();
        assertThat(a.mayOverlap(Permission.SUBSCRIBE, "**")).isTrue();
        assertThat(a.mayOverlap(Permission.SUBSCRIBE, "*/*/temp")).isTrue();
        assertThat(a.mayOverlap(Permission.SUBSCRIBE, "sensors/*/hum")).isFalse();
        assertThat(a.mayOverlap(Permission.SUBSCRIBE, "other/**")).isFalse();
        assertThat(a.allowsEverything(Permission.PUBLISH)).isFalse();
        assertThat(Access.all().allowsEverything(Permission.SERVE)).isTrue();
        assertThatThrownBy(() -> a.allow(Permission.READ, "a/b*")).hasMessageContaining("malformed");
    }

    @Test
    void shouldReadTheConfigurationAndNameWhatIsWrong() {
        String hash = PasswordHash.hash("pw".toCharArray(), 1000);
        NodeSecurity s = NodeSecurity.fromJson("""
                {"identities": {"alice": {"password": "%s", "allow": {"publish": ["x/**"], "all": ["y"]}},
                                "bot": {"tokens": ["%s"]}},
                 "anonymous": {"allow": {"subscribe": ["public/**"]}}}
                """.formatted(hash, PasswordHash.hashToken("t".toCharArray())));
        assertThat(s.identities()).containsExactly("alice", "bot");

        assertThatThrownBy(() -> NodeSecurity.fromJson(
                        "{\"identities\": {\"a\": {\"password\": \"%s\", \"alow\": {}}}}".formatted(hash)))
                .hasMessageContaining("identity 'a' has an unknown member 'alow'");
        assertThatThrownBy(() -> NodeSecurity.fromJson(
                        "{\"identities\": {\"a\": {\"password\": \"%s\", \"allow\": {\"pub\": [\"x\"]}}}}"
                                .formatted(hash)))
                .hasMessageContaining("unknown operation 'pub'");
        assertThatThrownBy(() -> NodeSecurity.fromJson("{\"identities\": {\"a\": {\"allow\": {}}}}"))
                .hasMessageContaining("identity 'a' has neither a password nor tokens");
        assertThatThrownBy(() -> NodeSecurity.fromJson("{\"identities\": {\"a\": {\"password\": \"plain\"}}}"))
                .hasMessageContaining("pbkdf2-sha256:<iterations>:<salt>:<hash>");
        assertThatThrownBy(() -> NodeSecurity.fromJson("[1]")).hasMessageContaining("JSON object");
    }

    @Test
    void shouldAuthenticateFromSetupMetadata() {
        NodeSecurity s = NodeSecurity.builder()
                .user("alice", PasswordHash.hash("pw".toCharArray(), 1000), Access.all())
                .anonymous(Access.none())
                .build();
        StepVerifier.create(s.authenticate(null))
                .assertNext(i -> assertThat(i.name()).isEqualTo(Identity.ANONYMOUS))
                .verifyComplete();
        for (int round = 0; round < 2; round++) { // the second time from the verified-password cache
            ByteBuf ok = simple("alice", "pw");
            try {
                StepVerifier.create(s.authenticate(ok))
                        .assertNext(i -> assertThat(i.name()).isEqualTo("alice"))
                        .verifyComplete();
            } finally {
                ok.release();
            }
        }
        ByteBuf bad = simple("alice", "pw2");
        try {
            StepVerifier.create(s.authenticate(bad))
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(RejectedSetupException.class)
                            .hasMessage("authentication failed: unknown user or wrong password"))
                    .verify(WAIT);
        } finally {
            bad.release();
        }
    }

    private static ByteBuf simple(String user, String password) {
        ByteBufAllocator a = ByteBufAllocator.DEFAULT;
        CompositeByteBuf m = a.compositeBuffer();
        CompositeMetadataCodec.encodeAndAddMetadata(
                m,
                a,
                WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION,
                AuthMetadataCodec.encodeSimpleMetadata(a, user.toCharArray(), password.toCharArray()));
        return m;
    }
}
