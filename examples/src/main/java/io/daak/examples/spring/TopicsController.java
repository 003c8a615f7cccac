package io.daak.examples.spring;

import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.PublishResult;
import io.daak.core.Selector;
import io.daak.core.Start;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Daak topics over HTTP, with {@link String} values.
 *
 * <ul>
 *   <li>{@code GET /topics/{topic or selector}}, {@code Accept: text/event-stream}: the messages as
 *       server-sent events, {@code id} = the message's sequence, {@code event} = its topic, {@code data}
 *       = its value. A selector ({@code demo/*}, {@code demo/**}) streams every matching topic. The
 *       {@code start} query parameter says where the stream begins: {@code new} (default),
 *       {@code latest}, {@code earliest}, {@code seq:N} or {@code time:ISO-8601}. Closing the request
 *       cancels the subscription at the node.
 *   <li>{@code POST /topics/{topic}} with a text body: publishes the body and answers the
 *       {@link PublishResult} as JSON {@code {"topic","sequence","matched","dropped"}}.
 * </ul>
 *
 * <p>A bad topic, selector or {@code start} answers 400 with {@code {"error": "..."}}.
 *
 * <p>Thread-safe: stateless besides the shared {@link Daak} client.
 */
@RestController
@RequestMapping("/topics")
public final class TopicsController {

    private final Daak daak;

    /**
     * A controller publishing and subscribing through a client.
     *
     * @param daak the application's Daak client
     */
    public TopicsController(Daak daak) {
        this.daak = Objects.requireNonNull(daak, "daak");
    }

    /**
     * Streams a topic's (or a selector's) messages as server-sent events.
     *
     * @param topic the topic or selector, the rest of the path after {@code /topics/}
     * @param start where the stream begins: {@code new}, {@code latest}, {@code earliest}, {@code seq:N}
     *     or {@code time:ISO-8601}
     * @return one event per message, until the client goes away
     */
    @GetMapping(path = "/{*topic}", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<String>> subscribe(
            @PathVariable("topic") String topic, @RequestParam(name = "start", defaultValue = "new") String start) {
        Selector<String> selector = Selector.of(name(topic), String.class);
        SubscribeOptions options = SubscribeOptions.defaults().start(start(start));
        return daak.subscribe(selector, options).map(TopicsController::event);
    }

    /**
     * Publishes the request body to a topic.
     *
     * @param topic the topic, the rest of the path after {@code /topics/}
     * @param value the request body
     * @return the result: the topic, the message's sequence, how many subscribers it matched and how many
     *     of those dropped it
     */
    @PostMapping(path = "/{*topic}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<PublishResult> publish(@PathVariable("topic") String topic, @RequestBody String value) {
        return daak.publish(Topic.of(name(topic), String.class), value);
    }

    /**
     * Answers a bad topic, selector or start position.
     *
     * @param e what was wrong
     * @return {@code {"error": message}}
     */
    @ExceptionHandler(IllegalArgumentException.class)
    @ResponseStatus(HttpStatus.BAD_REQUEST)
    public Map<String, String> badRequest(IllegalArgumentException e) {
        return Map.of("error", String.valueOf(e.getMessage()));
    }

    private static ServerSentEvent<String> event(Message<String> m) {
        return ServerSentEvent.builder(m.value())
                .id(Long.toString(m.sequence()))
                .event(m.topic())
                .build();
    }

    /** {@code {*topic}} captures the rest of the path with its leading slash. */
    private static String name(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    /** Parses the {@code start} query parameter. */
    static Start start(String start) {
        if (start.equals("new")) {
            return Start.newMessages();
        }
        if (start.equals("latest")) {
            return Start.latest();
        }
        if (start.equals("earliest")) {
            return Start.earliest();
        }
        try {
            if (start.startsWith("seq:")) {
                return Start.atSequence(Long.parseLong(start.substring(4)));
            }
            if (start.startsWith("time:")) {
                return Start.atTime(Instant.parse(start.substring(5)));
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("start='" + start + "' is malformed: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(
                "start='" + start + "': use new, latest, earliest, seq:N or time:ISO-8601 (2025-01-31T12:00:00Z)");
    }
}
