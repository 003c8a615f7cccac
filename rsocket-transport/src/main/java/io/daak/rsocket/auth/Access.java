package io.daak.rsocket.auth;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one identity may do: per {@link Permission}, the names it applies to, as patterns over
 * {@code /}-separated names where {@code *} matches one segment and {@code **} any number (as in
 * {@link io.daak.core.Selector}). Nothing is allowed unless a rule allows it.
 *
 * <pre>{@code
 * Access a = Access.none()
 *     .allow(Permission.PUBLISH, "sensors/**")
 *     .allow(Permission.SUBSCRIBE, "sensors/a/**");
 * a.allows(Permission.PUBLISH, "sensors/b/temp");     // true
 * a.allows(Permission.SUBSCRIBE, "sensors/b/temp");   // false
 * a.mayOverlap(Permission.SUBSCRIBE, "sensors/**");   // true: some of what it selects is allowed
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Access {

    private static final Access NONE = new Access(new EnumMap<>(Permission.class));

    private final Map<Permission, List<String[]>> rules;

    private Access(Map<Permission, List<String[]>> rules) {
        this.rules = rules;
    }

    /**
     * Access to nothing.
     *
     * @return the empty rule set
     */
    public static Access none() {
        return NONE;
    }

    /**
     * Access to everything.
     *
     * @return every permission on {@code **}
     */
    public static Access all() {
        Access a = NONE;
        for (Permission p : Permission.values()) {
            a = a.allow(p, "**");
        }
        return a;
    }

    /**
     * These rules and one more.
     *
     * @param permission what is allowed
     * @param pattern on which names, e.g. {@code sensors/**}
     * @return new rules
     */
    public Access allow(Permission permission, String pattern) {
        Objects.requireNonNull(permission, "permission");
        String[] segments = checkPattern(pattern);
        Map<Permission, List<String[]>> more = new EnumMap<>(Permission.class);
        rules.forEach((p, l) -> more.put(p, List.copyOf(l)));
        List<String[]> list = new ArrayList<>(more.getOrDefault(permission, List.of()));
        list.add(segments);
        more.put(permission, List.copyOf(list));
        return new Access(more);
    }

    /**
     * Whether the permission covers a concrete name.
     *
     * @param permission the operation's permission
     * @param name a topic, key, queue or service name
     * @return true when a rule matches it
     */
    public boolean allows(Permission permission, String name) {
        String[] n = name.split("/", -1);
        for (String[] rule : rules.getOrDefault(permission, List.of())) {
            if (overlap(rule, 0, n, 0)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether some name that a selector matches is allowed: a subscription or watch on a selector that
     * overlaps no rule is refused, one that does receives only what {@link #allows} allows.
     *
     * @param permission SUBSCRIBE or READ
     * @param selector a selector pattern
     * @return true when at least one name could be both selected and allowed
     */
    public boolean mayOverlap(Permission permission, String selector) {
        String[] s = selector.split("/", -1);
        for (String[] rule : rules.getOrDefault(permission, List.of())) {
            if (overlap(rule, 0, s, 0)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether every name is allowed, so that deliveries need no check.
     *
     * @param permission the permission
     * @return true when a rule is {@code **}
     */
    public boolean allowsEverything(Permission permission) {
        for (String[] rule : rules.getOrDefault(permission, List.of())) {
            if (rule.length == 1 && rule[0].equals("**")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The patterns a permission allows, for messages and tools.
     *
     * @param permission the permission
     * @return the patterns, in the order they were added
     */
    public List<String> patterns(Permission permission) {
        return rules.getOrDefault(permission, List.of()).stream()
                .map(s -> String.join("/", s))
                .toList();
    }

    /**
     * Whether some concrete name matches both patterns. A {@code **} absorbs any run of the other side's
     * segments (wildcards included); a {@code *} pairs with any one segment.
     */
    static boolean overlap(String[] a, int i, String[] b, int j) {
        if (i == a.length && j == b.length) {
            return true;
        }
        if (i < a.length && a[i].equals("**")) {
            return overlap(a, i + 1, b, j) || (j < b.length && overlap(a, i, b, j + 1));
        }
        if (j < b.length && b[j].equals("**")) {
            return overlap(a, i, b, j + 1) || (i < a.length && overlap(a, i + 1, b, j));
        }
        if (i == a.length || j == b.length) {
            return false;
        }
        return (a[i].equals("*") || b[j].equals("*") || a[i].equals(b[j])) && overlap(a, i + 1, b, j + 1);
    }

    private static String[] checkPattern(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            throw new IllegalArgumentException("an access pattern must not be empty; use ** for every name");
        }
        String[] segments = pattern.split("/", -1);
        for (String s : segments) {
            if (s.isEmpty() || (s.contains("*") && !s.equals("*") && !s.equals("**"))) {
                throw new IllegalArgumentException("access pattern '" + pattern
                        + "' is malformed: segments are non-empty and a wildcard (* or **) is a whole segment");
            }
        }
        return segments;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Access[");
        rules.forEach(
                (p, l) -> b.append(p.configName).append('=').append(patterns(p)).append(' '));
        return b.toString().trim() + "]";
    }
}
