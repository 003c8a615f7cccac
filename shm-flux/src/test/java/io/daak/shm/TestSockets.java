package io.daak.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fresh socket paths and file directories per test, short enough for sun_path (108 bytes). */
final class TestSockets {

    private TestSockets() {}

    /** Deletes {@code dir} and what tests left in it (e.g. corrupt fixture files) when the JVM exits. */
    private static void deleteOnExit(Path dir) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // Best effort: the directory is in a temporary file system.
            }
        }));
    }

    static Path socket(String name) {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "shm");
            deleteOnExit(dir);
            return dir.resolve(name + ".sock");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A private directory for connection files, so tests can count what is left behind. */
    static Path fileDirectory() {
        try {
            Path dir = Files.createTempDirectory(
                    Path.of("/dev/shm").toFile().isDirectory() ? Path.of("/dev/shm") : Path.of("/tmp"), "shmtest");
            deleteOnExit(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
