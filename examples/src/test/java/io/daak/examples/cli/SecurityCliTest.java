package io.daak.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.examples.cli.Cli.Result;
import io.daak.examples.cli.Cli.Running;
import io.daak.rsocket.auth.PasswordHash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code daak passwd} and {@code daak node --auth}: hashes that a node accepts, and refusals. */
class SecurityCliTest {

    @TempDir
    Path dir;

    @Test
    void shouldHashPasswordsAndTokensThatANodeAccepts() throws Exception {
        Result passwd = Cli.runWithInput("s3cret pw\n", "passwd", "--iterations", "1000");
        assertThat(passwd.code()).as("%s", passwd).isZero();
        String hash = passwd.out().trim();
        assertThat(hash).startsWith("pbkdf2-sha256:1000:");
        assertThat(PasswordHash.verify("s3cret pw".toCharArray(), hash)).isTrue();

        Result token = Cli.run("passwd", "--new-token");
        assertThat(token.code()).as("%s", token).isZero();
        Matcher t =
                Pattern.compile("token: (\\S+)\\nhash:  (sha256:[0-9a-f]{64})").matcher(token.out());
        assertThat(t.find()).as("%s", token).isTrue();
        assertThat(PasswordHash.verifyToken(t.group(1).toCharArray(), t.group(2)))
                .isTrue();

        Path config = Files.writeString(dir.resolve("auth.json"), """
                {"identities": {
                   "alice": {"password": "%s", "allow": {"all": ["**"]}},
                   "bot":   {"tokens": ["%s"], "allow": {"publish": ["bots/**"]}}
                }}
                """.formatted(hash, t.group(2)));
        Running node =
                Cli.start("node", "--host", "127.0.0.1", "--tcp-port", "0", "--no-ws", "--auth", config.toString());
        try {
            Matcher port = node.out.await("daak node: tcp://127\\.0\\.0\\.1:(\\d+) \\(authentication on\\)");
            String host = "127.0.0.1:" + port.group(1);

            Result ok = Cli.run("pub", "--uri", "tcp://alice:s3cret%20pw@" + host, "demo/secure", "hi");
            assertThat(ok.code()).as("%s", ok).isZero();
            Result bot = Cli.run("pub", "--uri", "tcp://" + host + "?token=" + t.group(1), "bots/a", "beep");
            assertThat(bot.code()).as("%s", bot).isZero();
            Result denied = Cli.run("pub", "--uri", "tcp://" + host + "?token=" + t.group(1), "demo/secure", "x");
            assertThat(denied.code()).as("%s", denied).isEqualTo(DaakCli.FAILED);
            assertThat(denied.err()).contains("identity 'bot' may not publish topic 'demo/secure'");
            Result refused = Cli.run("pub", "--uri", "tcp://alice:wrong@" + host, "demo/secure", "x");
            assertThat(refused.code()).as("%s", refused).isEqualTo(DaakCli.FAILED);
            assertThat(refused.err())
                    .contains("authentication failed: unknown user or wrong password")
                    .doesNotContain("wrong@");
        } finally {
            node.stop();
        }
    }
}
