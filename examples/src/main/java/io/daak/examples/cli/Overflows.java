package io.daak.examples.cli;

import io.daak.core.Overflow;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;

/**
 * Reads {@code --overflow}: {@code drop-oldest}, {@code drop-latest}, {@code buffer}, {@code block}, each
 * with an optional {@code :CAPACITY}, or {@code error}. Stateless.
 */
final class Overflows implements ITypeConverter<Overflow> {

    @Override
    public Overflow convert(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int colon = t.indexOf(':');
        String policy = colon < 0 ? t : t.substring(0, colon);
        int capacity;
        try {
            capacity = colon < 0 ? Overflow.DEFAULT_CAPACITY : Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(message(text), e);
        }
        return switch (policy) {
            case "drop-oldest" -> Overflow.dropOldest(capacity);
            case "drop-latest" -> Overflow.dropLatest(capacity);
            case "buffer" -> Overflow.buffer(capacity);
            case "block" -> Overflow.block(capacity);
            case "error" -> Overflow.error();
            default -> throw new IllegalArgumentException(message(text));
        };
    }

    private static String message(String text) {
        return "overflow '" + text + "' is not one of drop-oldest, drop-latest, buffer, block (each with an"
                + " optional :CAPACITY, e.g. drop-oldest:10000) or error";
    }
}
