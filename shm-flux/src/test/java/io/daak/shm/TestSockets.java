package io.daak.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fresh socket paths and file directories per test, short enough for sun_path (108 bytes). */
final class TestSockets {

    private TestSockets() {}

    static Path socket(String name) {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "shm");
            dir.toFile().deleteOnExit();
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
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
