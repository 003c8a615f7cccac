package io.daak.tracing;

import io.daak.codec.CodecRegistry;
import io.daak.core.Codec;
import io.daak.core.Daak;
import io.daak.core.Fields;
import io.daak.core.Message;
import io.daak.core.RawValue;
import io.daak.core.Selector;
import io.daak.core.Topic;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Plays a recording back: as a {@link Flux} (for a {@code StepVerifier} test) or into a local or remote
 * {@link Daak}, with the original timing, scaled, or as fast as possible.
 *
 * <pre>{@code
 * // a test fed with what was recorded in the field
 * StepVerifier.create(Replay.of(Path.of("run.mcap")).topics("sensors/**").messages(Reading.class))
 *     .expectNextCount(1200).verifyComplete();
 *
 * // into a node at twice the original speed
 * Replay.of(Path.of("run.mcap")).speed(2.0).intoRaw(Daak.connect("tcp://localhost:7878")).block();
 * }</pre>
 *
 * <p>A truncated or corrupt file plays everything before the damage, then errors with a
 * {@link McapFormatException} that says the offset. Timing uses the messages' recording times
 * ({@code log_time}) relative to the first one, on Reactor's parallel scheduler (so
 * {@code StepVerifier.withVirtualTime} controls it). Immutable and thread-safe.
 */
public final class Replay {

    private static final CodecRegistry CODECS = CodecRegistry.defaults();

    private final Path file;
    private final double speed;
    private final @Nullable Selector<Object> topics;

    private Replay(Path file, double speed, @Nullable Selector<Object> topics) {
        this.file = file;
        this.speed = speed;
        this.topics = topics;
    }

    /**
     * A replay of a file with its original timing.
     *
     * @param file an MCAP file (written by Daak or any MCAP writer; chunks uncompressed)
     * @return the replay
     */
    public static Replay of(Path file) {
        return new Replay(Objects.requireNonNull(file, "file"), 1.0, null);
    }

    /**
     * Scales the timing: 2.0 plays twice as fast, 0.5 half as fast.
     *
     * @param factor a positive factor
     * @return a new replay
     */
    public Replay speed(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("speed=" + factor + " must be a positive finite factor");
        }
        return new Replay(file, factor, topics);
    }

    /**
     * Plays without waiting between messages.
     *
     * @return a new replay
     */
    public Replay asFastAsPossible() {
        return new Replay(file, 0, topics);
    }

    /**
     * Plays only the topics a pattern matches.
     *
     * @param pattern e.g. {@code sensors/**}
     * @return a new replay
     */
    public Replay topics(String pattern) {
        return new Replay(file, speed, Selector.of(pattern, Object.class));
    }

    /**
     * The recorded messages, timed.
     *
     * @return the messages; errors with a {@link McapFormatException} after the intact ones when the file
     *     is damaged
     */
    public Flux<RecordedMessage> recorded() {
        Flux<RecordedMessage> all = Flux.using(
                        () -> new McapReader(file),
                        reader -> Flux.<RecordedMessage>generate(sink -> {
                            try {
                                RecordedMessage m = reader.next();
                                if (m == null) {
                                    sink.complete();
                                } else {
                                    sink.next(m);
                                }
                            } catch (Exception e) {
                                sink.error(e);
                            }
                        }),
                        reader -> {
                            try {
                                reader.close();
                            } catch (java.io.IOException ignored) {
                                // read-only
                            }
                        })
                .subscribeOn(Schedulers.boundedElastic());
        Selector<Object> s = topics;
        if (s != null) {
            all = all.filter(m -> s.matches(m.topic()));
        }
        if (speed == 0) {
            return all;
        }
        Flux<RecordedMessage> source = all;
        return Flux.defer(() -> {
            long[] first = {Long.MIN_VALUE};
            long start = Schedulers.parallel().now(TimeUnit.NANOSECONDS);
            return source.concatMap(
                    m -> {
                        if (first[0] == Long.MIN_VALUE) {
                            first[0] = m.logTimeNanos();
                        }
                        long due = start + (long) ((m.logTimeNanos() - first[0]) / speed);
                        long wait = due - Schedulers.parallel().now(TimeUnit.NANOSECONDS);
                        return wait <= 0
                                ? Mono.just(m)
                                : Mono.delay(Duration.ofNanos(wait)).thenReturn(m);
                    },
                    1);
        });
    }

    /**
     * The recorded messages as Daak messages with decoded values, timed: what a subscriber of that type
     * would have received. A value whose format cannot be decoded as {@code type} errors.
     *
     * @param type the value type ({@code Object.class}: each value as the class it was recorded from,
     *     when it is on the class path; {@code RawValue.class}: undecoded)
     * @param <T> the value type
     * @return the messages, with their original sequence numbers and timestamps
     */
    public <T> Flux<Message<T>> messages(Class<T> type) {
        Objects.requireNonNull(type, "type");
        Map<String, Class<?>> classes = new ConcurrentHashMap<>();
        return recorded()
                .map(m -> Message.of(
                        m.topic(),
                        decode(m, type, classes),
                        m.sequence(),
                        Instant.ofEpochSecond(0, m.publishTimeNanos()),
                        Fields.none(),
                        m.value().mimeType()));
    }

    /**
     * Publishes the recording into a handle with decoded values (for an in-process engine, whose
     * subscribers expect the values' own classes). Values whose class is not on the class path are
     * published as {@link RawValue}s.
     *
     * @param daak the handle to publish into
     * @return the number of messages published
     */
    public Mono<Long> into(Daak daak) {
        Objects.requireNonNull(daak, "daak");
        Map<String, Class<?>> classes = new ConcurrentHashMap<>();
        return recorded()
                .concatMap(m -> {
                    Object value = decode(m, Object.class, classes);
                    return publish(daak, m.topic(), value);
                })
                .count();
    }

    /**
     * Publishes the recording into a remote handle exactly as recorded: the same bytes and MIME types, so
     * receivers decode them as from the original publishers.
     *
     * @param daak a remote handle ({@code Daak.connect})
     * @return the number of messages published
     */
    public Mono<Long> intoRaw(Daak daak) {
        Objects.requireNonNull(daak, "daak");
        return recorded()
                .concatMap(m -> daak.publish(Topic.of(m.topic(), RawValue.class), m.value()))
                .count();
    }

    @SuppressWarnings("unchecked")
    private static <T> Mono<?> publish(Daak daak, String topic, T value) {
        return daak.publish(Topic.of(topic, (Class<T>) value.getClass()), value);
    }

    private static <T> T decode(RecordedMessage m, Class<T> type, Map<String, Class<?>> classes) {
        RawValue raw = m.value();
        if (type == RawValue.class || (type != Object.class && type.isInstance(raw))) {
            return type.cast(raw);
        }
        Class<?> as = type;
        if (type == Object.class) {
            as = recordedClass(raw, classes);
            if (as == null) {
                return type.cast(raw);
            }
        }
        Codec codec = CODECS.find(raw.mimeType()).orElse(null);
        if (codec == null) {
            throw new McapFormatException(
                    "topic '" + m.topic() + "': no codec for the recorded format " + raw.mimeType(), -1);
        }
        ByteBuf data = Unpooled.wrappedBuffer(raw.bytes());
        try {
            return type.cast(codec.decode(data, as));
        } finally {
            data.release();
        }
    }

    private static @Nullable Class<?> recordedClass(RawValue raw, Map<String, Class<?>> classes) {
        String name = raw.javaType();
        if (name == null) {
            return raw.mimeType().startsWith("text/") ? String.class : null;
        }
        Class<?> c = classes.get(name);
        if (c != null) {
            return c == Void.class ? null : c;
        }
        try {
            c = Class.forName(name, false, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            c = Void.class;
        }
        classes.put(name, c);
        return c == Void.class ? null : c;
    }

    @Override
    public String toString() {
        return "Replay[" + file + (speed == 0 ? ", as fast as possible" : ", speed " + speed) + "]";
    }
}
