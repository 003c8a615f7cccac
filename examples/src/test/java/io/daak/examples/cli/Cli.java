package io.daak.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs {@link DaakCli} in this JVM, in the foreground or on a thread of its own, capturing its output. */
final class Cli {

    static final Duration WAIT = Duration.ofSeconds(20);

    private Cli() {}

    /** What a finished command printed and returned. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    static Result run(String... args) {
        return runWithInput("", args);
    }

    static Result runWithInput(String stdin, String... args) {
        Running running = start(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
        return running.awaitExit(WAIT);
    }

    static Running start(String... args) {
        return start(InputStream.nullInputStream(), args);
    }

    static Running start(InputStream in, String... args) {
        return new Running(in, args);
    }

    /** A command running on its own thread; stop it as Ctrl-C would, with an interrupt. */
    static final class Running {
        final Lines out = new Lines();
        final Lines err = new Lines();
        private final CompletableFuture<Integer> code = new CompletableFuture<>();
        private final Thread thread;

        Running(InputStream in, String[] args) {
            thread = new Thread(
                    () -> {
                        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                            code.complete(DaakCli.run(args, in, o, e));
                        } catch (Throwable t) {
                            code.completeExceptionally(t);
                        }
                    },
                    "daak " + String.join(" ", args));
            thread.start();
        }

        Result awaitExit(Duration wait) {
            try {
                int c = code.get(wait.toMillis(), TimeUnit.MILLISECONDS);
                return new Result(c, out.text(), err.text());
            } catch (TimeoutException e) {
                thread.interrupt();
                throw new AssertionError(
                        "the command did not end within " + wait + "; out:\n" + out.text() + "\nerr:\n" + err.text());
            } catch (InterruptedException | ExecutionException e) {
                throw new AssertionError(e);
            }
        }

        Result stop() {
            thread.interrupt();
            return awaitExit(WAIT);
        }
    }

    /** Output that a test can wait on. Thread-safe. */
    static final class Lines extends OutputStream {
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            notifyAll();
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        /** Waits until a line matches; returns its match. */
        synchronized Matcher await(String regex) throws InterruptedException {
            Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                Matcher m = pattern.matcher(text());
                if (m.find()) {
                    return m;
                }
                long left = deadline - System.nanoTime();
                assertThat(left).as("waited for /%s/ in:%n%s", regex, text()).isPositive();
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }
}
