package io.daak.core;

/**
 * Validation of topic, key, queue and service names and of selectors. Names are {@code /}-separated
 * segments; selectors may use {@code *} for exactly one segment and {@code **} for any number.
 *
 * <p>Thread-safe: stateless.
 */
final class Names {

    private Names() {}

    /**
     * Checks a concrete name (no wildcards).
     *
     * @param what what the name is for, used in the message (e.g. {@code "topic"})
     * @param name the name to check
     * @return the name
     * @throws IllegalArgumentException naming {@code what} and the rule broken
     */
    /**
     * The last name {@link #checkName} found valid. A racy cache, safely so: a {@code String} is
     * immutable and safely published, and a stale or missed value only means checking again.
     */
    private static @org.jspecify.annotations.Nullable String lastValidName;

    static String checkName(String what, String name) {
        if (name != null && name == lastValidName) {
            return name; // the same string as the last valid one (messages of one topic share it)
        }
        checkCommon(what, name);
        if (name.indexOf('*') < 0) {
            lastValidName = name; // the common case, checked on every message: no segment to look at
            return name;
        }
        for (String segment : name.split("/", -1)) {
            if (segment.contains("*")) {
                throw new IllegalArgumentException(what + "='" + name + "' contains the wildcard character '*' in '"
                        + segment + "'; wildcards are allowed in selectors only, not in " + what + " names");
            }
        }
        return name;
    }

    /**
     * Checks a selector pattern.
     *
     * @param what what the selector is for, used in the message
     * @param pattern the pattern to check
     * @return the pattern
     * @throws IllegalArgumentException naming {@code what} and the rule broken
     */
    static String checkPattern(String what, String pattern) {
        checkCommon(what, pattern);
        for (String segment : pattern.split("/", -1)) {
            if (segment.contains("*") && !segment.equals("*") && !segment.equals("**")) {
                throw new IllegalArgumentException(what + "='" + pattern + "' has the segment '" + segment
                        + "'; a wildcard must be a whole segment: '*' (one segment) or '**' (any number)");
            }
        }
        return pattern;
    }

    private static void checkCommon(String what, String name) {
        if (name == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException(what + "='" + name + "' is blank; give a name such as 'sensors/temp'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException(
                        what + "='" + name + "' contains whitespace or a control character at index " + i);
            }
        }
        if (name.startsWith("/") || name.endsWith("/") || name.contains("//")) {
            throw new IllegalArgumentException(what + "='" + name
                    + "' has an empty segment; segments are separated by single '/' with none at the start or end");
        }
    }

    /**
     * Whether a name matches a pattern checked by {@link #checkPattern}.
     *
     * @param patternSegments the pattern split on {@code /}
     * @param name the concrete name
     * @return true when it matches
     */
    static boolean matches(String[] patternSegments, String name) {
        return matches(patternSegments, 0, name.split("/", -1), 0);
    }

    private static boolean matches(String[] p, int pi, String[] n, int ni) {
        while (pi < p.length) {
            String seg = p[pi];
            if (seg.equals("**")) {
                if (pi == p.length - 1) {
                    return true;
                }
                for (int k = ni; k <= n.length; k++) {
                    if (matches(p, pi + 1, n, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (ni >= n.length) {
                return false;
            }
            if (!seg.equals("*") && !seg.equals(n[ni])) {
                return false;
            }
            pi++;
            ni++;
        }
        return ni == n.length;
    }

    static Class<?> checkType(String what, Class<?> type) {
        if (type == null) {
            throw new IllegalArgumentException(what + " type must not be null; pass the Java class of the values");
        }
        if (type.isPrimitive()) {
            throw new IllegalArgumentException(what + " type=" + type.getName()
                    + " is primitive; values are objects, pass the wrapper class (e.g. Integer.class for int)");
        }
        return type;
    }
}
