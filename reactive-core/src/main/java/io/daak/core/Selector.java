package io.daak.core;

import java.util.Objects;

/**
 * A pattern over topic or key names with the Java type of the values it selects. Segments are
 * separated by {@code /}; {@code *} matches exactly one segment and {@code **} any number of
 * segments (including none): {@code sensors/*}{@code /temp} matches {@code sensors/a/temp}, and
 * {@code sensors/**} matches {@code sensors}, {@code sensors/a} and {@code sensors/a/b}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the type of the selected values
 */
public final class Selector<T> {

    private final String pattern;
    private final Class<T> type;
    private final String[] segments;
    private final boolean exact;

    private Selector(String pattern, Class<T> type) {
        this.pattern = pattern;
        this.type = type;
        this.segments = pattern.split("/", -1);
        this.exact = !pattern.contains("*");
    }

    /**
     * A selector for the given pattern and value type.
     *
     * @param pattern e.g. {@code "sensors/**"}
     * @param type the Java type of the values
     * @param <T> the value type
     * @return the selector
     * @throws IllegalArgumentException when the pattern is null, blank or malformed (a wildcard that is
     *     not a whole segment, an empty segment)
     */
    public static <T> Selector<T> of(String pattern, Class<T> type) {
        Names.checkPattern("selector", pattern);
        Names.checkType("selector", type);
        return new Selector<>(pattern, type);
    }

    /**
     * The pattern.
     *
     * @return the pattern as given
     */
    public String pattern() {
        return pattern;
    }

    /**
     * The Java type of the selected values.
     *
     * @return the type
     */
    public Class<T> type() {
        return type;
    }

    /**
     * Whether the pattern has no wildcard, so it selects exactly one name.
     *
     * @return true for an exact name
     */
    public boolean isExact() {
        return exact;
    }

    /**
     * Whether this selector selects the given name.
     *
     * @param name a concrete topic or key name
     * @return true when it matches
     */
    public boolean matches(String name) {
        return exact ? pattern.equals(name) : Names.matches(segments, name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Selector<?> s && s.pattern.equals(pattern) && s.type.equals(type);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pattern, type);
    }

    @Override
    public String toString() {
        return "Selector[" + pattern + ", " + type.getSimpleName() + "]";
    }
}
