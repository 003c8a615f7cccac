package io.daak.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every Java snippet in the guides is code that compiles and runs: each block, line by line (ignoring
 * indentation and blank lines), must appear in this module's sources, which the demo and the guide
 * tests run. A line {@code // ...} in a snippet marks an elision between two quoted parts.
 */
class DocSnippetsTest {

    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
    private static final Path DOCS = MODULE.resolveSibling("docs").normalize();
    private static final String ELISION = "// ...";

    @ParameterizedTest
    @ValueSource(strings = {"patterns.md", "backpressure.md", "testing.md", "interceptors.md", "spring.md"})
    void shouldQuoteOnlyCodeThatCompiles(String guide) throws IOException {
        List<List<String>> snippets = javaSnippets(Files.readAllLines(DOCS.resolve(guide)));
        List<List<String>> sources = sources();

        assertThat(snippets).as("Java snippets in %s", guide).isNotEmpty();
        for (List<String> snippet : snippets) {
            for (List<String> part : parts(snippet)) {
                assertThat(sources.stream().anyMatch(source -> contains(source, part)))
                        .as(
                                "%s quotes code found in no source of the examples module:%n%s",
                                guide, String.join("\n", part))
                        .isTrue();
            }
        }
    }

    /** The lines of each {@code ```java} block, trimmed, blank ones left out. */
    private static List<List<String>> javaSnippets(List<String> lines) {
        List<List<String>> snippets = new ArrayList<>();
        List<String> current = null;
        for (String line : lines) {
            String t = line.trim();
            if (current == null && t.equals("```java")) {
                current = new ArrayList<>();
            } else if (current != null && t.equals("```")) {
                snippets.add(current);
                current = null;
            } else if (current != null && !t.isEmpty()) {
                current.add(t);
            }
        }
        assertThat(current).as("an unclosed ```java block").isNull();
        return snippets;
    }

    private static List<List<String>> parts(List<String> snippet) {
        List<List<String>> parts = new ArrayList<>();
        List<String> part = new ArrayList<>();
        for (String line : snippet) {
            if (line.equals(ELISION)) {
                parts.add(part);
                part = new ArrayList<>();
            } else {
                part.add(line);
            }
        }
        parts.add(part);
        parts.removeIf(List::isEmpty);
        return parts;
    }

    private static List<List<String>> sources() throws IOException {
        List<List<String>> sources = new ArrayList<>();
        for (Path root : List.of(MODULE.resolve("src/main/java"), MODULE.resolve("src/test/java"))) {
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> sources.add(trimmedLines(f)));
            }
        }
        return sources;
    }

    private static List<String> trimmedLines(Path file) {
        try {
            return Files.readAllLines(file).stream()
                    .map(String::trim)
                    .filter(l -> !l.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean contains(List<String> source, List<String> part) {
        return java.util.Collections.indexOfSubList(source, part) >= 0;
    }
}
