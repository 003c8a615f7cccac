package io.daak.rsocket;

import io.daak.core.CodecException;
import io.daak.core.DaakException;
import io.daak.core.DeniedException;
import io.daak.core.NoRespondersException;
import io.daak.core.OverflowException;
import io.daak.core.ServiceException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.rsocket.RSocketErrorException;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.exceptions.InvalidException;
import io.rsocket.exceptions.RejectedException;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.metadata.MimeTypeMetadataCodec;
import io.rsocket.metadata.WellKnownMimeType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The wire contract in code: routes, the composite metadata Daak reads and writes, and error
 * mapping. {@code docs/wire.md} is the same contract for people. Stateless and thread-safe.
 *
 * <p>Composite metadata entries (RSocket extension "Composite Metadata"):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-------------+-----------------------------------------------+
 * |M| id or len-1 |  MIME string (only when M = 0), len bytes ... |
 * +-+-------------+-----------------------------------------------+
 * |     content length (24 bits)              |  content ...      |
 * +-------------------------------------------+-------------------+
 * </pre>
 *
 * Daak uses three: routing (well-known {@code 0x7E}, one tag {@code <operation>/<name>}), data MIME
 * type (well-known {@code 0x7A}, only when a payload's data is not in the connection's SETUP data
 * MIME type) and the Daak fields ({@value #FIELDS_MIME}, a JSON object, see {@link WireFields}).
 * Entries of other types (tracing, authentication) are skipped.
 */
final class Wire {

    /** The SETUP metadata MIME type a Daak connection uses. */
    static final String COMPOSITE = WellKnownMimeType.MESSAGE_RSOCKET_COMPOSITE_METADATA.getString();

    /** The composite metadata entry with the Daak fields. */
    static final String FIELDS_MIME = "application/vnd.daak.fields+json";

    /** Results of control operations (publish, put, delete) are JSON in the data. */
    static final String JSON = "application/json";

    private static final int ROUTING = WellKnownMimeType.MESSAGE_RSOCKET_ROUTING.getIdentifier();
    private static final int MIME = WellKnownMimeType.MESSAGE_RSOCKET_MIMETYPE.getIdentifier();
    private static final byte[] FIELDS_MIME_BYTES = FIELDS_MIME.getBytes(StandardCharsets.US_ASCII);
    private static final ByteBuf FIELDS_MIME_BUF = Unpooled.unreleasableBuffer(
                    Unpooled.wrappedBuffer(FIELDS_MIME_BYTES))
            .asReadOnly();
    private static final int MAX_CONTENT = 0xFF_FFFF;

    private Wire() {}

    /** The operations a route names, before the first {@code /}. */
    enum Op {
        PUBLISH,
        SUBSCRIBE,
        PUT,
        GET,
        DELETE,
        WATCH,
        SEND,
        RECV,
        ACK,
        NACK,
        SERVE,
        REQUEST;

        final String wire = name().toLowerCase(Locale.ROOT);

        /** The route for a name. */
        String route(String name) {
            return wire + "/" + name;
        }
    }

    /** A parsed route. */
    record Route(Op op, String name) {

        static Route parse(@Nullable String route) {
            if (route == null) {
                throw new IllegalArgumentException("the request has no route: put a routing entry ("
                        + WellKnownMimeType.MESSAGE_RSOCKET_ROUTING.getString()
                        + ") '<operation>/<name>' in its composite metadata (" + COMPOSITE + ")");
            }
            int slash = route.indexOf('/');
            String op = slash < 0 ? route : route.substring(0, slash);
            for (Op o : Op.values()) {
                if (o.wire.equals(op)) {
                    if (slash < 0 || slash == route.length() - 1) {
                        throw new IllegalArgumentException(
                                "route '" + route + "' names no " + "topic, key, queue or service after '" + op + "/'");
                    }
                    return new Route(o, route.substring(slash + 1));
                }
            }
            throw new IllegalArgumentException("unknown route '" + route + "': routes are '<operation>/<name>' with "
                    + "operation one of publish, subscribe, put, get, delete, watch, send, recv, ack, nack, serve, "
                    + "request");
        }
    }

    /** What Daak found in a payload's metadata. */
    record Meta(
            @Nullable String route,
            @Nullable String mimeType,
            @Nullable WireFields fields) {
        static final Meta NONE = new Meta(null, null, null);

        WireFields fieldsOrEmpty() {
            return fields != null ? fields : new WireFields();
        }
    }

    /**
     * Reads composite metadata; the buffer is not consumed or released.
     *
     * @throws IllegalArgumentException when it is not well-formed composite metadata
     */
    static Meta read(@Nullable ByteBuf metadata) {
        if (metadata == null || !metadata.isReadable()) {
            return Meta.NONE;
        }
        String route = null;
        String mime = null;
        WireFields fields = null;
        int i = metadata.readerIndex();
        int end = metadata.writerIndex();
        while (i < end) {
            int head = metadata.getUnsignedByte(i++);
            boolean wellKnown = (head & 0x80) != 0;
            int id = head & 0x7F;
            int mimeStart = i;
            int mimeLength = 0;
            if (!wellKnown) {
                mimeLength = id + 1;
                i += mimeLength;
            }
            if (i + 3 > end) {
                throw new IllegalArgumentException(
                        "composite metadata is truncated at byte " + (i - metadata.readerIndex()));
            }
            int length = metadata.getUnsignedMedium(i);
            i += 3;
            if (i + length > end) {
                throw new IllegalArgumentException("composite metadata entry of " + length + " bytes overruns the "
                        + "metadata at byte " + (i - metadata.readerIndex()));
            }
            if (wellKnown && id == ROUTING) {
                route = firstTag(metadata, i, length);
            } else if (wellKnown && id == MIME && length == 1 && (metadata.getByte(i) & 0x80) != 0) {
                // The usual case, one well-known type: no list, no slice.
                mime = WellKnownMimeType.fromIdentifier(metadata.getByte(i) & 0x7F)
                        .getString();
            } else if (wellKnown && id == MIME) {
                List<String> mimes = MimeTypeMetadataCodec.decode(metadata.slice(i, length));
                if (!mimes.isEmpty()) {
                    mime = mimes.get(0);
                }
            } else if (!wellKnown && isFieldsMime(metadata, mimeStart, mimeLength)) {
                try {
                    fields = WireFields.read(metadata.slice(i, length));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(FIELDS_MIME + " metadata " + e.getMessage(), e);
                }
            }
            i += length;
        }
        return new Meta(route, mime, fields);
    }

    private static String firstTag(ByteBuf buf, int at, int length) {
        if (length < 1) {
            throw new IllegalArgumentException("routing metadata is empty");
        }
        int tag = buf.getUnsignedByte(at);
        if (tag + 1 > length) {
            throw new IllegalArgumentException("routing metadata tag of " + tag + " bytes overruns its entry");
        }
        return buf.toString(at + 1, tag, StandardCharsets.UTF_8);
    }

    private static boolean isFieldsMime(ByteBuf buf, int at, int length) {
        return length == FIELDS_MIME_BYTES.length && ByteBufUtil.equals(buf, at, FIELDS_MIME_BUF, 0, length);
    }

    /**
     * Writes composite metadata with the entries that are given.
     *
     * @return a new buffer the caller owns, or null when there is nothing to write
     */
    static @Nullable ByteBuf write(
            ByteBufAllocator allocator,
            @Nullable String route,
            @Nullable String mimeType,
            @Nullable WireFields fields) {
        if (route == null && mimeType == null && (fields == null || fields.isEmpty())) {
            return null;
        }
        FlatJson.Out out = FlatJson.out();
        writeTo(out, route, mimeType, fields);
        ByteBuf buf = allocator.buffer(out.size());
        out.writeTo(buf);
        return buf;
    }

    /** Appends composite metadata with the entries that are given to {@code out}. */
    static void writeTo(
            FlatJson.Out out, @Nullable String route, @Nullable String mimeType, @Nullable WireFields fields) {
        if (route != null) {
            byte[] tag = route.getBytes(StandardCharsets.UTF_8);
            if (tag.length > 255) {
                throw new IllegalArgumentException(
                        "route '" + route + "' is " + tag.length + " bytes; routes are at most 255 bytes");
            }
            out.put((char) (0x80 | ROUTING));
            out.putMedium(tag.length + 1);
            out.put((char) tag.length);
            out.put(tag);
        }
        if (mimeType != null) {
            out.put((char) (0x80 | MIME));
            int lengthAt = out.size();
            out.putMedium(0);
            WellKnownMimeType known = WellKnownMimeType.fromString(mimeType);
            if (known != WellKnownMimeType.UNPARSEABLE_MIME_TYPE) {
                out.put((char) (0x80 | known.getIdentifier()));
            } else {
                byte[] ascii = mimeType.getBytes(StandardCharsets.US_ASCII);
                if (ascii.length < 1 || ascii.length > 128) {
                    throw new IllegalArgumentException(
                            "MIME type '" + mimeType + "' must be 1 to 128 ASCII characters");
                }
                out.put((char) (ascii.length - 1));
                out.put(ascii);
            }
            out.setMedium(lengthAt, out.size() - lengthAt - 3);
        }
        if (fields != null && !fields.isEmpty()) {
            out.put((char) (FIELDS_MIME_BYTES.length - 1));
            out.put(FIELDS_MIME_BYTES);
            int lengthAt = out.size();
            out.putMedium(0);
            fields.write(out);
            int length = out.size() - lengthAt - 3;
            if (length > MAX_CONTENT) {
                throw new IllegalArgumentException("fields of " + length + " bytes exceed the 16 MiB metadata limit");
            }
            out.setMedium(lengthAt, length);
        }
    }

    // ---------------------------------------------------------------- errors

    /** The error kinds on the wire: the text before the first space of an error frame's message. */
    static final String NO_RESPONDERS = "[no-responders]";

    static final String SERVICE = "[service]";
    static final String OVERFLOW = "[overflow]";
    static final String CODEC = "[codec]";
    static final String INVALID = "[invalid]";
    static final String DISCONNECTED = "[disconnected]";
    static final String TIMEOUT = "[timeout]";
    static final String ERROR = "[error]";

    /** The caller's identity may not do this (access rules); nothing was done. */
    static final String DENIED = "[denied]";

    /** The error frame a node (or a serving client) sends for a failure. */
    static RSocketErrorException toWire(Throwable e) {
        if (e instanceof RSocketErrorException r) {
            return r;
        }
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        if (e instanceof NoRespondersException) {
            return new ApplicationErrorException(NO_RESPONDERS + " " + message);
        }
        if (e instanceof ServiceException) {
            return new ApplicationErrorException(SERVICE + " " + message);
        }
        if (e instanceof DeniedException) {
            // REJECTED: the responder guarantees it did not process the request.
            return new RejectedException(DENIED + " " + message);
        }
        if (e instanceof OverflowException) {
            return new RejectedException(OVERFLOW + " " + message);
        }
        if (e instanceof CodecException) {
            return new InvalidException(CODEC + " " + message);
        }
        if (e instanceof IllegalArgumentException) {
            return new InvalidException(INVALID + " " + message);
        }
        if (e instanceof java.util.concurrent.TimeoutException) {
            return new ApplicationErrorException(TIMEOUT + " " + message);
        }
        if (e instanceof DaakException) {
            return new ApplicationErrorException(ERROR + " " + message);
        }
        return new ApplicationErrorException(ERROR + " " + message);
    }

    /**
     * The exception a client raises for an error frame from the node.
     *
     * @param e what the RSocket requester signalled
     * @param service the service name when the call was a request, else null
     */
    static Throwable fromWire(Throwable e, @Nullable String service) {
        if (e instanceof RejectedSetupException) {
            return new DaakException("the node refused the connection: " + e.getMessage(), e);
        }
        if (!(e instanceof RSocketErrorException)) {
            if (e instanceof java.nio.channels.ClosedChannelException
                    || e instanceof io.rsocket.exceptions.ConnectionErrorException) {
                return new DaakException(
                        "the connection to the node closed" + (e.getMessage() != null ? ": " + e.getMessage() : ""), e);
            }
            return e;
        }
        String message = e.getMessage() != null ? e.getMessage() : "";
        if (message.startsWith(NO_RESPONDERS)) {
            return service != null
                    ? new NoRespondersException(service)
                    : new DaakException(strip(message, NO_RESPONDERS), e);
        }
        if (message.startsWith(SERVICE)) {
            String text = strip(message, SERVICE);
            if (service != null) {
                String prefix = "service '" + service + "' failed: ";
                return new ServiceException(
                        service, text.startsWith(prefix) ? text.substring(prefix.length()) : text, null);
            }
            return new DaakException(text, e);
        }
        if (message.startsWith(DENIED)) {
            return new DeniedException(strip(message, DENIED));
        }
        if (message.startsWith(OVERFLOW)) {
            return new OverflowException(strip(message, OVERFLOW));
        }
        if (message.startsWith(CODEC)) {
            return new CodecException(strip(message, CODEC), e);
        }
        if (message.startsWith(INVALID)) {
            return new IllegalArgumentException(strip(message, INVALID), e);
        }
        if (message.startsWith(DISCONNECTED)) {
            return service != null
                    ? new ServiceException(service, strip(message, DISCONNECTED), null)
                    : new DaakException(strip(message, DISCONNECTED), e);
        }
        if (message.startsWith(TIMEOUT)) {
            java.util.concurrent.TimeoutException t =
                    new java.util.concurrent.TimeoutException(strip(message, TIMEOUT));
            t.initCause(e);
            return t;
        }
        if (message.startsWith(ERROR)) {
            return new DaakException(strip(message, ERROR), e);
        }
        return new DaakException("the node answered with an error: " + message, e);
    }

    private static String strip(String message, String kind) {
        return message.substring(Math.min(message.length(), kind.length() + 1));
    }
}
