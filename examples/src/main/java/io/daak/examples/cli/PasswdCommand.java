package io.daak.examples.cli;

import io.daak.rsocket.auth.PasswordHash;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code daak passwd}: hashes a password (or a bearer token) for a node's security configuration. */
@Command(
        name = "passwd",
        description = {
            "Prints the hash of a password (or token) to put in the node's --auth file (docs/security.md).",
            "Reads the secret from the terminal without echo, or the first line of standard input."
        })
final class PasswdCommand implements Callable<Integer> {

    @ParentCommand
    DaakCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "--token", description = "Hash a bearer token (sha256:...) instead of a password.")
    boolean token;

    @Option(
            names = "--new-token",
            description = "Make a new random token; prints the token (give it to the client) and its hash.")
    boolean newToken;

    @Option(
            names = "--iterations",
            paramLabel = "N",
            description = "PBKDF2 iterations of a password hash (default: " + PasswordHash.DEFAULT_ITERATIONS + ").")
    int iterations = PasswordHash.DEFAULT_ITERATIONS;

    @Override
    public Integer call() throws IOException {
        if (newToken) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String t = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            cli.out.println("token: " + t);
            cli.out.println("hash:  " + PasswordHash.hashToken(t.toCharArray()));
            return 0;
        }
        char[] secret = read(token ? "Token: " : "Password: ");
        if (secret == null || secret.length == 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "no " + (token ? "token" : "password") + " given on the terminal or standard input");
        }
        try {
            cli.out.println(token ? PasswordHash.hashToken(secret) : PasswordHash.hash(secret, iterations));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } finally {
            java.util.Arrays.fill(secret, '\0');
        }
        return 0;
    }

    private char[] read(String prompt) throws IOException {
        Console console = System.console();
        if (console != null && cli.in == System.in) {
            return console.readPassword(prompt);
        }
        String line = new BufferedReader(new InputStreamReader(cli.in, StandardCharsets.UTF_8)).readLine();
        return line == null ? null : line.toCharArray();
    }
}
