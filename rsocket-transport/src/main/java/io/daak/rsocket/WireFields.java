package io.daak.rsocket;

import io.daak.core.Change;
import io.daak.core.Fields;
import io.daak.core.Message;
import io.daak.core.Overflow;
import io.daak.core.Start;
import io.daak.core.SubscribeOptions;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The Daak fields entry of a payload's composite metadata ({@value Wire#FIELDS_MIME}): a flat JSON
 * object with the call's fields on requests and the message's fields on deliveries. Every member is
 * optional; unknown members are ignored so that the contract can grow. See {@code docs/wire.md}.
 *
 * <p>Not thread-safe: one instance per payload.
 */
final class WireFields {

    /** Topic, key or queue of a delivered message, change or delivery. */
    @Nullable
    String name;

    /** Per-topic sequence of a message; revision of a change or entry; 0 for none. */
    long seq;

    /** Epoch milliseconds of the timestamp, and the nanoseconds within that millisecond. */
    long tsMillis = Long.MIN_VALUE;

    int tsNanos;

    Map<String, String> headers = Map.of();

    @Nullable
    String sender;

    int priority;

    /** Time-to-live in milliseconds; negative for none. */
    long ttlMillis = -1;

    /** The Java class name of the value when a Java client sent it: lets receivers report a type mismatch. */
    @Nullable
    String type;

    /** Subscription start: new, latest, earliest, seq:N, time:ISO-8601. */
    @Nullable
    String start;

    /** Subscription overflow policy: buffer, dropOldest, dropLatest, error, block; with its capacity. */
    @Nullable
    String overflow;

    int capacity;

    /**
     * On subscribe and watch requests: the node first sends one empty payload of kind
     * {@code subscribed} once the subscription is in place, using one unit of the initial demand.
     */
    boolean confirm;

    /**
     * On subscribe requests: the most messages the client takes in one payload (it then counts its
     * demand in messages, see {@link Batch}); on a batch payload: how many entries it holds.
     */
    int batch;

    /**
     * On a batch of a publish channel: the publisher wants no results for this batch's entries, only
     * acknowledgements, so the node answers a run of successful entries with its length (a number).
     */
    boolean acks;

    /**
     * On a subscribe request that asks for batches: the client reads compact entries (see
     * {@link CompactEntry}); on a batch: its entries are compact.
     */
    boolean compact;

    /**
     * On a batch of a publish channel that wants results: the publisher reads runs, so the node may
     * answer consecutive successful entries of one topic with one result that has a {@code count}.
     */
    boolean runs;

    /** A change's kind: put or delete; {@code subscribed} on the confirmation of a subscription. */
    @Nullable
    String kind;

    /** A queue delivery's id (for ack/nack) and attempt. */
    long id;

    int attempt;

    /** Queue settings on send and recv. */
    long ackTimeoutMillis = -1;

    int maxDeliveries;

    int queueCapacity;

    @Nullable
    String deadLetter;

    static WireFields of(Fields fields) {
        WireFields w = new WireFields();
        w.headers = fields.headers();
        w.sender = fields.sender();
        w.priority = fields.priority();
        Instant ts = fields.timestamp();
        if (ts != null) {
            w.timestamp(ts);
        }
        Duration ttl = fields.ttl();
        if (ttl != null) {
            w.ttlMillis = Math.max(1, ttl.toMillis());
        }
        return w;
    }

    static WireFields of(SubscribeOptions options) {
        WireFields w = of(options.fields());
        Start start = options.start();
        w.start = switch (start.kind()) {
            case NEW -> null;
            case LATEST -> "latest";
            case EARLIEST -> "earliest";
            case SEQUENCE -> "seq:" + start.sequence();
            case TIME -> "time:" + start.time();
        };
        Overflow overflow = options.overflow();
        if (!overflow.equals(Overflow.defaults())) {
            w.overflow = switch (overflow.policy()) {
                case BUFFER -> "buffer";
                case DROP_OLDEST -> "dropOldest";
                case DROP_LATEST -> "dropLatest";
                case ERROR -> "error";
                case BLOCK -> "block";
            };
            w.capacity = overflow.capacity();
        }
        return w;
    }

    /** The fields of a message as it goes out to a subscriber. */
    static WireFields ofMessage(Message<?> m, @Nullable String type) {
        WireFields w = of(m.fields());
        w.name = m.topic();
        w.seq = m.sequence();
        w.timestamp(m.timestamp());
        w.type = type;
        return w;
    }

    void timestamp(Instant ts) {
        tsMillis = epochMillis(ts);
        tsNanos = nanosWithinMilli(ts);
    }

    /** The wire's {@code ts}: milliseconds since the epoch. */
    static long epochMillis(Instant ts) {
        return Math.addExact(Math.multiplyExact(ts.getEpochSecond(), 1000L), ts.getNano() / 1_000_000);
    }

    /** The wire's {@code tsNanos}: nanoseconds within the millisecond. */
    static int nanosWithinMilli(Instant ts) {
        return ts.getNano() % 1_000_000;
    }

    @Nullable
    Instant timestamp() {
        if (tsMillis == Long.MIN_VALUE) {
            return null;
        }
        return instant(tsMillis, tsNanos);
    }

    /** The instant of epoch milliseconds and nanoseconds within the millisecond, made once. */
    static Instant instant(long millis, int nanosWithinMilli) {
        return Instant.ofEpochSecond(
                Math.floorDiv(millis, 1000L), Math.floorMod(millis, 1000L) * 1_000_000L + nanosWithinMilli);
    }

    Fields toFields() {
        Fields f = Fields.none();
        if (!headers.isEmpty()) {
            f = f.headers(headers);
        }
        if (sender != null) {
            f = f.sender(sender);
        }
        Instant ts = timestamp();
        if (ts != null) {
            f = f.timestamp(ts);
        }
        if (priority != 0) {
            f = f.priority(priority);
        }
        if (ttlMillis > 0) {
            f = f.ttl(Duration.ofMillis(ttlMillis));
        }
        return f;
    }

    SubscribeOptions toSubscribeOptions() {
        SubscribeOptions o = SubscribeOptions.defaults().fields(toFields());
        if (start != null) {
            o = o.start(parseStart(start));
        }
        if (overflow != null) {
            o = o.overflow(parseOverflow(overflow, capacity));
        }
        return o;
    }

    private static Start parseStart(String s) {
        if (s.equals("new")) {
            return Start.newMessages();
        }
        if (s.equals("latest")) {
            return Start.latest();
        }
        if (s.equals("earliest")) {
            return Start.earliest();
        }
        try {
            if (s.startsWith("seq:")) {
                return Start.atSequence(Long.parseLong(s.substring(4)));
            }
            if (s.startsWith("time:")) {
                return Start.atTime(Instant.parse(s.substring(5)));
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("fields.start='" + s + "' is malformed: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(
                "fields.start='" + s + "' is unknown; use new, latest, earliest, seq:<n> or time:<ISO-8601>");
    }

    private static Overflow parseOverflow(String policy, int capacity) {
        int cap = capacity > 0 ? capacity : Overflow.DEFAULT_CAPACITY;
        return switch (policy) {
            case "buffer" -> Overflow.buffer(cap);
            case "dropOldest" -> Overflow.dropOldest(cap);
            case "dropLatest" -> Overflow.dropLatest(cap);
            case "error" -> Overflow.error();
            case "block" -> Overflow.block(cap);
            default ->
                throw new IllegalArgumentException("fields.overflow='" + policy
                        + "' is unknown; use buffer, dropOldest, dropLatest, error or block");
        };
    }

    Change.Kind changeKind() {
        if (kind == null || kind.equals("put")) {
            return Change.Kind.PUT;
        }
        if (kind.equals("delete")) {
            return Change.Kind.DELETE;
        }
        throw new IllegalArgumentException("fields.kind='" + kind + "' is unknown; expected put or delete");
    }

    boolean isEmpty() {
        return type == null && isEmptyButType();
    }

    /** Whether nothing but (perhaps) {@code type} is set: calls whose metadata a client may reuse. */
    boolean isEmptyButType() {
        return name == null
                && seq == 0
                && tsMillis == Long.MIN_VALUE
                && headers.isEmpty()
                && sender == null
                && priority == 0
                && ttlMillis < 0
                && start == null
                && overflow == null
                && capacity == 0
                && kind == null
                && !confirm
                && batch == 0
                && !acks
                && !compact
                && !runs
                && id == 0
                && attempt == 0
                && ackTimeoutMillis < 0
                && maxDeliveries == 0
                && queueCapacity == 0
                && deadLetter == null;
    }

    private static final byte[] NAME = FlatJson.member("name");
    private static final byte[] SEQ = FlatJson.member("seq");
    private static final byte[] TS = FlatJson.member("ts");
    private static final byte[] TS_NANOS = FlatJson.member("tsNanos");
    private static final byte[] HEADERS = FlatJson.member("headers");
    private static final byte[] SENDER = FlatJson.member("sender");
    private static final byte[] PRIORITY = FlatJson.member("priority");
    private static final byte[] TTL = FlatJson.member("ttl");
    private static final byte[] TYPE = FlatJson.member("type");
    private static final byte[] START = FlatJson.member("start");
    private static final byte[] OVERFLOW = FlatJson.member("overflow");
    private static final byte[] CAPACITY = FlatJson.member("capacity");
    private static final byte[] KIND = FlatJson.member("kind");
    private static final byte[] CONFIRM = FlatJson.member("confirm");
    private static final byte[] BATCH = FlatJson.member("batch");
    private static final byte[] ID = FlatJson.member("id");
    private static final byte[] ATTEMPT = FlatJson.member("attempt");
    private static final byte[] ACK_TIMEOUT = FlatJson.member("ackTimeout");
    private static final byte[] MAX_DELIVERIES = FlatJson.member("maxDeliveries");
    private static final byte[] QUEUE_CAPACITY = FlatJson.member("queueCapacity");
    private static final byte[] DEAD_LETTER = FlatJson.member("deadLetter");
    private static final byte[] ACKS = FlatJson.member("acks");
    private static final byte[] COMPACT = FlatJson.member("compact");
    private static final byte[] RUNS = FlatJson.member("runs");

    /** The members {@link #read} knows, by the index it switches on. */
    private static final byte[][] MEMBERS = java.util.stream.Stream.of(
                    "name",
                    "seq",
                    "ts",
                    "tsNanos",
                    "headers",
                    "sender",
                    "priority",
                    "ttl",
                    "type",
                    "start",
                    "overflow",
                    "capacity",
                    "kind",
                    "confirm",
                    "batch",
                    "id",
                    "attempt",
                    "ackTimeout",
                    "maxDeliveries",
                    "queueCapacity",
                    "deadLetter",
                    "acks",
                    "compact",
                    "runs")
            .map(n -> n.getBytes(StandardCharsets.US_ASCII))
            .toArray(byte[][]::new);

    /** Writes the JSON object into {@code buf}. */
    void write(ByteBuf buf) {
        FlatJson.Out out = FlatJson.out();
        write(out);
        out.writeTo(buf);
    }

    /** Appends the JSON object to {@code out}. */
    void write(FlatJson.Out out) {
        int first = out.size() + 1;
        out.put('{');
        str(out, first, NAME, name);
        num(out, first, SEQ, seq, 0);
        if (tsMillis != Long.MIN_VALUE) {
            num(out, first, TS, tsMillis, Long.MIN_VALUE);
            num(out, first, TS_NANOS, tsNanos, 0);
        }
        if (!headers.isEmpty()) {
            out.member(out.size() == first, HEADERS).put('{');
            boolean head = true;
            for (Map.Entry<String, String> h : headers.entrySet()) {
                if (!head) {
                    out.put(',');
                }
                head = false;
                out.string(h.getKey()).put(':').string(h.getValue());
            }
            out.put('}');
        }
        str(out, first, SENDER, sender);
        num(out, first, PRIORITY, priority, 0);
        num(out, first, TTL, ttlMillis, -1);
        str(out, first, TYPE, type);
        str(out, first, START, this.start);
        str(out, first, OVERFLOW, overflow);
        num(out, first, CAPACITY, capacity, 0);
        str(out, first, KIND, kind);
        if (confirm) {
            out.member(out.size() == first, CONFIRM).put(TRUE);
        }
        num(out, first, BATCH, batch, 0);
        if (acks) {
            out.member(out.size() == first, ACKS).put(TRUE);
        }
        if (compact) {
            out.member(out.size() == first, COMPACT).put(TRUE);
        }
        if (runs) {
            out.member(out.size() == first, RUNS).put(TRUE);
        }
        num(out, first, ID, id, 0);
        num(out, first, ATTEMPT, attempt, 0);
        num(out, first, ACK_TIMEOUT, ackTimeoutMillis, -1);
        num(out, first, MAX_DELIVERIES, maxDeliveries, 0);
        num(out, first, QUEUE_CAPACITY, queueCapacity, 0);
        str(out, first, DEAD_LETTER, deadLetter);
        out.put('}');
    }

    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);

    private static void num(FlatJson.Out out, int first, byte[] member, long value, long absent) {
        if (value != absent) {
            out.member(out.size() == first, member).number(value);
        }
    }

    private static void str(FlatJson.Out out, int first, byte[] member, @Nullable String value) {
        if (value != null) {
            out.member(out.size() == first, member).string(value);
        }
    }

    /** Appends a JSON string to a builder. */
    static void quote(StringBuilder b, String s) {
        FlatJson.quote(b, s);
    }

    /**
     * Reads the JSON object in {@code in} (not consumed, not released).
     *
     * @throws IllegalArgumentException when it is not a JSON object of the documented members
     */
    static WireFields read(ByteBuf in) {
        FlatJson p = new FlatJson(in);
        WireFields w = new WireFields();
        p.expect('{');
        for (boolean first = true; p.more(first); first = false) {
            int member = p.member(MEMBERS);
            switch (member) {
                case 0 -> w.name = text(p, "name");
                case 1 -> w.seq = p.integer("seq");
                case 2 -> w.tsMillis = p.integer("ts");
                case 3 -> w.tsNanos = (int) Math.floorMod(p.integer("tsNanos"), 1_000_000L);
                case 4 -> w.headers = headers(p);
                case 5 -> w.sender = text(p, "sender");
                case 6 -> w.priority = (int) p.integer("priority");
                case 7 -> w.ttlMillis = p.integer("ttl");
                case 8 -> w.type = text(p, "type");
                case 9 -> w.start = text(p, "start");
                case 10 -> w.overflow = text(p, "overflow");
                case 11 -> w.capacity = (int) p.integer("capacity");
                case 12 -> w.kind = text(p, "kind");
                case 13 -> w.confirm = p.bool();
                case 14 -> w.batch = (int) Math.min(Integer.MAX_VALUE, Math.max(0, p.integer("batch")));
                case 15 -> w.id = p.integer("id");
                case 16 -> w.attempt = (int) p.integer("attempt");
                case 17 -> w.ackTimeoutMillis = p.integer("ackTimeout");
                case 18 -> w.maxDeliveries = (int) p.integer("maxDeliveries");
                case 19 -> w.queueCapacity = (int) p.integer("queueCapacity");
                case 20 -> w.deadLetter = text(p, "deadLetter");
                case 21 -> w.acks = p.bool();
                case 22 -> w.compact = p.bool();
                case 23 -> w.runs = p.bool();
                default -> p.skip();
            }
        }
        p.expectEnd();
        return w;
    }

    private static String text(FlatJson p, String field) {
        if (p.peek() != FlatJson.Kind.STRING) {
            throw new IllegalArgumentException("member '" + field + "' must be a string");
        }
        return p.string();
    }

    private static Map<String, String> headers(FlatJson p) {
        if (p.peek() != FlatJson.Kind.OBJECT) {
            throw new IllegalArgumentException("member 'headers' must be an object of strings");
        }
        p.expect('{');
        Map<String, String> out = new LinkedHashMap<>();
        for (boolean first = true; p.more(first); first = false) {
            String k = p.name();
            out.put(k, text(p, "headers." + k));
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
        try {
            write(buf);
            b.append(buf.toString(StandardCharsets.UTF_8));
        } finally {
            buf.release();
        }
        return b.toString();
    }
}
