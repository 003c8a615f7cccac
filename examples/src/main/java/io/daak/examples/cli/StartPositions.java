package io.daak.examples.cli;

import io.daak.core.Start;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;

/** Reads {@code --start}: {@code new}, {@code latest}, {@code earliest}, {@code seq:N} or {@code time:ISO-8601}. Stateless. */
final class StartPositions implements ITypeConverter<Start> {

    @Override
    public Start convert(String text) {
        String t = text.trim();
        try {
            if (t.equalsIgnoreCase("new")) {
                return Start.newMessages();
            }
            if (t.equalsIgnoreCase("latest")) {
                return Start.latest();
            }
            if (t.equalsIgnoreCase("earliest")) {
                return Start.earliest();
            }
            if (t.regionMatches(true, 0, "seq:", 0, 4)) {
                return Start.atSequence(Long.parseLong(t.substring(4)));
            }
            if (t.regionMatches(true, 0, "time:", 0, 5)) {
                return Start.atTime(Instant.parse(t.substring(5)));
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(message(text), e);
        }
        throw new IllegalArgumentException(message(text));
    }

    private static String message(String text) {
        return "start '" + text + "' is not one of new, latest, earliest, seq:N, time:2025-01-31T12:00:00Z";
    }
}
