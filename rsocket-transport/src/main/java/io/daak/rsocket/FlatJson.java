package io.daak.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The small JSON reader and writer behind {@link WireFields}: every message on the wire carries a
 * fields object, so this path runs per message and must not build a general-purpose parser, a tree
 * or intermediate strings for it. It reads any valid JSON (whitespace, escapes, nested values it
 * skips) and rejects invalid JSON with the byte offset; it writes directly into a {@link ByteBuf}.
 *
 * <p>Not thread-safe: a reader is one pass over one buffer; the writer methods are static.
 */
final class FlatJson {

    private static final byte[] DIGIT_TENS = new byte[100];
    private static final byte[] DIGIT_ONES = new byte[100];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_TENS[i] = (byte) ('0' + i / 10);
            DIGIT_ONES[i] = (byte) ('0' + i % 10);
        }
    }

    /** Nesting deeper than this in skipped values is refused (a hostile payload must not overflow the stack). */
    private static final int MAX_DEPTH = 64;

    private final byte[] in;
    private final int start;
    private final int end;
    private int at;

    /**
     * A reader over the readable bytes of {@code buf} (not consumed, not released). It reads from the
     * buffer's array, or from one copy of its bytes: per-byte buffer access would cost a bounds check,
     * and under leak detection a recorded access, per character.
     */
    FlatJson(ByteBuf buf) {
        int length = buf.readableBytes();
        if (buf.hasArray()) {
            this.in = buf.array();
            this.start = buf.arrayOffset() + buf.readerIndex();
        } else {
            this.in = ByteBufUtil.getBytes(buf, buf.readerIndex(), length, false);
            this.start = 0;
        }
        this.end = start + length;
        this.at = start;
    }

    // ------------------------------------------------------------------ reading

    /** The kinds of value {@link #peek()} tells apart. */
    enum Kind {
        STRING,
        NUMBER,
        OBJECT,
        ARRAY,
        TRUE,
        FALSE,
        NULL
    }

    IllegalArgumentException error(String what) {
        return new IllegalArgumentException("is not valid JSON: " + what + " at byte " + (at - start));
    }

    private void space() {
        while (at < end) {
            byte b = in[at];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            at++;
        }
    }

    private byte next() {
        space();
        if (at >= end) {
            throw error("unexpected end");
        }
        return in[at];
    }

    void expect(char c) {
        if (next() != c) {
            throw error("expected '" + c + "'");
        }
        at++;
    }

    /** After '{' or a member: true when another member follows (consumes the comma). */
    boolean more(boolean first) {
        byte b = next();
        if (b == '}') {
            at++;
            return false;
        }
        if (!first) {
            if (b != ',') {
                throw error("expected ',' or '}'");
            }
            at++;
        }
        return true;
    }

    /** After '[' or an item: true when another item follows (consumes the comma). */
    boolean moreItems(boolean first) {
        byte b = next();
        if (b == ']') {
            at++;
            return false;
        }
        if (!first) {
            if (b != ',') {
                throw error("expected ',' or ']'");
            }
            at++;
        }
        return true;
    }

    /** The end of input, after trailing whitespace. */
    void expectEnd() {
        space();
        if (at != end) {
            throw error("unexpected content after the object");
        }
    }

    Kind peek() {
        byte b = next();
        return switch (b) {
            case '"' -> Kind.STRING;
            case '{' -> Kind.OBJECT;
            case '[' -> Kind.ARRAY;
            case 't' -> Kind.TRUE;
            case 'f' -> Kind.FALSE;
            case 'n' -> Kind.NULL;
            default -> {
                if (b == '-' || (b >= '0' && b <= '9')) {
                    yield Kind.NUMBER;
                }
                throw error("unexpected character '" + (char) (b & 0xFF) + "'");
            }
        };
    }

    /** A member name and its colon. */
    String name() {
        if (next() != '"') {
            throw error("expected a member name");
        }
        String name = string();
        expect(':');
        return name;
    }

    /**
     * A member name and its colon, as its index in {@code known} (the names' ASCII bytes), or -1 for
     * a name not in it; no string is made for the common case of a name without escapes.
     */
    int member(byte[][] known) {
        if (next() != '"') {
            throw error("expected a member name");
        }
        int from = at + 1;
        int to = from;
        while (to < end && in[to] != '"' && in[to] != '\\') {
            to++;
        }
        int found = -1;
        if (to < end && in[to] == '"') {
            int length = to - from;
            for (int k = 0; k < known.length; k++) {
                byte[] n = known[k];
                if (n.length == length && Arrays.equals(in, from, to, n, 0, length)) {
                    found = k;
                    break;
                }
            }
            at = to + 1;
        } else {
            String name = string(); // escapes: compare the decoded name
            for (int k = 0; k < known.length && found < 0; k++) {
                if (name.equals(new String(known[k], StandardCharsets.US_ASCII))) {
                    found = k;
                }
            }
        }
        expect(':');
        return found;
    }

    /**
     * Recently read short ASCII strings by content (topic names and types repeat on every message).
     * Racy by design: a slot holds an immutable string or null, and a miss only costs a new string.
     */
    private static final String[] CACHE = new String[512];

    /** A string value (the reader is at its opening quote). */
    String string() {
        at++; // the opening quote
        int from = at;
        boolean ascii = true;
        int hash = 0;
        while (true) {
            if (at >= end) {
                throw error("unterminated string");
            }
            byte b = in[at];
            if (b == '"') {
                int length = at - from;
                at++;
                if (ascii && length <= 64) {
                    int slot = (hash ^ (hash >>> 9)) & (CACHE.length - 1);
                    String cached = CACHE[slot];
                    if (cached != null && cached.length() == length && sameLatin1(cached, from)) {
                        return cached;
                    }
                    String s = new String(in, from, length, StandardCharsets.ISO_8859_1);
                    CACHE[slot] = s;
                    return s;
                }
                return new String(in, from, length, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
            }
            hash = 31 * hash + b;
            if (b == '\\') {
                return escaped(from);
            }
            if (b >= 0 && b < 0x20) {
                throw error("control character in a string");
            }
            if (b < 0) {
                ascii = false;
            }
            at++;
        }
    }

    private boolean sameLatin1(String s, int from) {
        for (int k = 0; k < s.length(); k++) {
            if (s.charAt(k) != in[from + k]) {
                return false;
            }
        }
        return true;
    }

    /** The rest of a string that has escapes, from its first character at {@code from}. */
    private String escaped(int from) {
        StringBuilder b = new StringBuilder(new String(in, from, at - from, StandardCharsets.UTF_8));
        int run = at;
        while (true) {
            if (at >= end) {
                throw error("unterminated string");
            }
            byte c = in[at];
            if (c == '"' || c == '\\') {
                if (at > run) {
                    b.append(new String(in, run, at - run, StandardCharsets.UTF_8));
                }
                if (c == '"') {
                    at++;
                    return b.toString();
                }
                at++;
                if (at >= end) {
                    throw error("unterminated escape");
                }
                byte e = in[at++];
                switch (e) {
                    case '"' -> b.append('"');
                    case '\\' -> b.append('\\');
                    case '/' -> b.append('/');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> b.append(hex4());
                    default -> {
                        at--;
                        throw error("unknown escape '\\" + (char) (e & 0xFF) + "'");
                    }
                }
                run = at;
            } else if (c >= 0 && c < 0x20) {
                throw error("control character in a string");
            } else {
                at++;
            }
        }
    }

    private char hex4() {
        if (at + 4 > end) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(in[at] & 0xFF, 16);
            if (d < 0) {
                throw error("bad hex digit in a \\u escape");
            }
            v = v * 16 + d;
            at++;
        }
        return (char) v;
    }

    /**
     * An integer value.
     *
     * @param member the member, for the error message
     * @return the value
     * @throws IllegalArgumentException when the value is not an integer that fits a long
     */
    long integer(String member) {
        if (peek() != Kind.NUMBER) {
            throw new IllegalArgumentException("member '" + member + "' must be an integer");
        }
        boolean negative = in[at] == '-';
        if (negative) {
            at++;
        }
        int digits = at;
        long v = 0;
        while (at < end) {
            byte b = in[at];
            if (b < '0' || b > '9') {
                break;
            }
            int d = b - '0';
            // Exact overflow check without a division per digit (Long.MAX_VALUE ends in 7).
            if (v >= Long.MAX_VALUE / 10 && (v > Long.MAX_VALUE / 10 || d > 7)) {
                throw new IllegalArgumentException("member '" + member + "' is out of range");
            }
            v = v * 10 + d;
            at++;
        }
        if (at == digits) {
            throw error("a number without digits");
        }
        if (at < end) {
            byte b = in[at];
            if (b == '.' || b == 'e' || b == 'E') {
                throw new IllegalArgumentException("member '" + member + "' must be an integer");
            }
        }
        return negative ? -v : v;
    }

    /** Skips any value. */
    void skip() {
        skip(0);
    }

    private void skip(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        switch (peek()) {
            case STRING -> string();
            case NUMBER -> number();
            case TRUE -> literal("true");
            case FALSE -> literal("false");
            case NULL -> literal("null");
            case OBJECT -> {
                at++;
                for (boolean first = true; more(first); first = false) {
                    name();
                    skip(depth + 1);
                }
            }
            case ARRAY -> {
                at++;
                if (next() == ']') {
                    at++;
                    return;
                }
                while (true) {
                    skip(depth + 1);
                    byte b = next();
                    at++;
                    if (b == ']') {
                        return;
                    }
                    if (b != ',') {
                        at--;
                        throw error("expected ',' or ']'");
                    }
                }
            }
        }
    }

    /** Reads true or false; a caller checked {@link #peek()}. */
    boolean bool() {
        Kind k = peek();
        if (k == Kind.TRUE) {
            literal("true");
            return true;
        }
        if (k == Kind.FALSE) {
            literal("false");
            return false;
        }
        skip();
        return false;
    }

    private void literal(String word) {
        if (at + word.length() > end) {
            throw error("truncated literal");
        }
        for (int k = 0; k < word.length(); k++) {
            if (in[at + k] != word.charAt(k)) {
                throw error("bad literal");
            }
        }
        at += word.length();
    }

    private void number() {
        if (in[at] == '-') {
            at++;
        }
        int from = at;
        while (at < end) {
            byte b = in[at];
            if ((b >= '0' && b <= '9') || b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-') {
                at++;
            } else {
                break;
            }
        }
        if (at == from) {
            throw error("a number without digits");
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * A JSON text under construction in a reusable array, written to a buffer in one call at the end
     * (per-byte buffer writes would cost a bounds check each, and under leak detection a recorded
     * access each). Not thread-safe: one per thread, see {@link #out()}.
     */
    static final class Out {
        private byte[] bytes;
        private int size;

        /** A builder that starts with room for 256 bytes. */
        Out() {
            this(256);
        }

        /** A builder that starts with room for {@code capacity} bytes. */
        Out(int capacity) {
            bytes = new byte[capacity];
        }

        private void room(int n) {
            if (size + n > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
            }
        }

        Out reset() {
            size = 0;
            return this;
        }

        int size() {
            return size;
        }

        Out put(char c) {
            room(1);
            bytes[size++] = (byte) c;
            return this;
        }

        Out put(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, bytes, size, b.length);
            size += b.length;
            return this;
        }

        /** A member name (given as the bytes of {@code "name":}), after a comma unless it is the first. */
        Out member(boolean first, byte[] quotedNameColon) {
            if (!first) {
                put(',');
            }
            return put(quotedNameColon);
        }

        /** A JSON string. */
        Out string(String s) {
            int n = s.length();
            room(n + 2);
            int at = size;
            bytes[at++] = '"';
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                    // Rare on the wire: escape and UTF-8 encode through a builder.
                    StringBuilder b = new StringBuilder(n + 8);
                    quote(b, s);
                    return put(b.toString().getBytes(StandardCharsets.UTF_8));
                }
                bytes[at++] = (byte) c;
            }
            bytes[at++] = '"';
            size = at;
            return this;
        }

        /** A long in decimal, without building a string: two digits per division. */
        Out number(long v) {
            if (v == Long.MIN_VALUE) {
                return put(Long.toString(v).getBytes(StandardCharsets.US_ASCII));
            }
            room(20);
            if (v < 0) {
                bytes[size++] = '-';
                v = -v;
            }
            int digits = digits(v);
            int at = size + digits;
            while (v >= 100) {
                long q = v / 100;
                int r = (int) (v - q * 100);
                bytes[--at] = DIGIT_ONES[r];
                bytes[--at] = DIGIT_TENS[r];
                v = q;
            }
            int r = (int) v;
            bytes[--at] = DIGIT_ONES[r];
            if (r >= 10) {
                bytes[--at] = DIGIT_TENS[r];
            }
            size += digits;
            return this;
        }

        private static int digits(long v) {
            int d = 1;
            long p = 10;
            while (d < 19 && v >= p) {
                d++;
                p *= 10;
            }
            return d;
        }

        /** Writes what was built to {@code buf} in one call. */
        void writeTo(ByteBuf buf) {
            buf.writeBytes(bytes, 0, size);
        }

        /** The array (valid up to {@link #size()}); it changes as the text grows. */
        byte[] array() {
            return bytes;
        }

        Out putInt(int v) {
            room(4);
            bytes[size++] = (byte) (v >>> 24);
            bytes[size++] = (byte) (v >>> 16);
            bytes[size++] = (byte) (v >>> 8);
            bytes[size++] = (byte) v;
            return this;
        }

        Out putMedium(int v) {
            room(3);
            bytes[size++] = (byte) (v >>> 16);
            bytes[size++] = (byte) (v >>> 8);
            bytes[size++] = (byte) v;
            return this;
        }

        void setInt(int at, int v) {
            bytes[at] = (byte) (v >>> 24);
            bytes[at + 1] = (byte) (v >>> 16);
            bytes[at + 2] = (byte) (v >>> 8);
            bytes[at + 3] = (byte) v;
        }

        void setMedium(int at, int v) {
            bytes[at] = (byte) (v >>> 16);
            bytes[at + 1] = (byte) (v >>> 8);
            bytes[at + 2] = (byte) v;
        }

        void setByte(int at, int v) {
            bytes[at] = (byte) v;
        }

        Out put(byte[] b, int offset, int length) {
            room(length);
            System.arraycopy(b, offset, bytes, size, length);
            size += length;
            return this;
        }

        /** The readable bytes of {@code src} (not consumed), in one call. */
        Out put(ByteBuf src) {
            int n = src.readableBytes();
            room(n);
            src.getBytes(src.readerIndex(), bytes, size, n);
            size += n;
            return this;
        }
    }

    private static final io.netty.util.concurrent.FastThreadLocal<Out> OUT = PerThread.of(Out::new);

    /** This thread's builder, reset. Use it and write it out before anything else on this thread builds JSON. */
    static Out out() {
        return OUT.get().reset();
    }

    /** The bytes of {@code "name":} for a member name that needs no escaping. */
    static byte[] member(String name) {
        return ("\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
    }

    /** Appends a JSON string to a builder. */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
