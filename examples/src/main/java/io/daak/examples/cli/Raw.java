package io.daak.examples.cli;

import io.daak.core.RawValue;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** How the tap and record commands show a value they carry undecoded. Stateless. */
final class Raw {

    private static final int PREVIEW = 16;

    private Raw() {}

    /** Text formats as their text; others as their size, MIME type and the first bytes in hex. */
    static String render(RawValue v) {
        String mime = v.mimeType();
        if (mime.startsWith("text/") || mime.contains("json") || mime.contains("xml")) {
            return new String(v.bytes(), StandardCharsets.UTF_8);
        }
        byte[] b = v.bytes();
        String hex = HexFormat.ofDelimiter(" ").formatHex(b, 0, Math.min(b.length, PREVIEW));
        return "<" + b.length + " bytes " + mime + (b.length > 0 ? ": " + hex + (b.length > PREVIEW ? " ..." : "") : "")
                + ">";
    }
}
