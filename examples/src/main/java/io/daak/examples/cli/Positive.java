package io.daak.examples.cli;

import picocli.CommandLine.ITypeConverter;

/** Reads a count that must be at least 1 ({@code --count}). Stateless. */
final class Positive implements ITypeConverter<Long> {

    @Override
    public Long convert(String text) {
        long n;
        try {
            n = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number", e);
        }
        if (n < 1) {
            throw new IllegalArgumentException("'" + text + "' must be at least 1");
        }
        return n;
    }
}
