package io.daak.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The one handle for every way code talks to other code: publish/subscribe, key/value, point-to-point
 * queues, request/reply and client/server streams. The calls are the same whatever the distance; the
 * distance is chosen when the handle is made: {@link #local()} for tasks and threads in this JVM,
 * {@link #connect(String)} for a URI (for example {@code local://bus}, and with the transport modules
 * {@code tcp://host:7000}, {@code ws://host:7001/daak}, {@code shm:///dev/shm/daak}).
 *
 * <pre>{@code
 * try (Daak daak = Daak.local()) {
 *   Topic<String> chat = Topic.of("chat/general", String.class);
 *   daak.subscribe(chat).subscribe(m -> System.out.println(m.value()));
 *   daak.publish(chat, "hello").block();
 * }
 * }</pre>
 *
 * <h2>Rules every implementation follows</h2>
 *
 * <ul>
 *   <li>Every operation is lazy: nothing happens until the returned {@code Mono}/{@code Flux} is
 *       subscribed. Arguments are checked when the call is made, with an
 *       {@link IllegalArgumentException} naming the argument.
 *   <li>A subscriber's demand is the only thing that moves messages to it; each subscription chooses
 *       what happens when it falls behind ({@link Overflow}).
 *   <li>Errors are signals carrying a {@link DaakException} whose message says what, where and what to
 *       do; user callbacks that throw become error signals.
 * </ul>
 *
 * <p>Thread-safe: share one handle between threads and tasks.
 */
public interface Daak extends Disposable, AutoCloseable {

    /**
     * A new in-process engine with {@link LocalOptions#defaults()}.
     *
     * @return the handle; close it when done
     */
    static Daak local() {
        return new LocalDaak(LocalOptions.defaults(), "local");
    }

    /**
     * A new in-process engine.
     *
     * @param options its settings
     * @return the handle; close it when done
     */
    static Daak local(LocalOptions options) {
        return new LocalDaak(Objects.requireNonNull(options, "options"), "local");
    }

    /**
     * A handle for a URI, made by the {@link Connector} registered for its scheme. {@code local://name}
     * is built in: every handle with the same name in this JVM shares one engine until it is closed.
     *
     * @param uri e.g. {@code local://bus}
     * @return the handle
     * @throws IllegalArgumentException when the URI is malformed or no connector handles its scheme (the
     *     message lists the schemes that are known)
     */
    static Daak connect(String uri) {
        Objects.requireNonNull(uri, "uri");
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("uri='" + uri + "' is not a valid URI: " + e.getMessage(), e);
        }
        String scheme = parsed.getScheme();
        if (scheme == null) {
            throw new IllegalArgumentException(
                    "uri='" + uri + "' has no scheme; write it as scheme://..., e.g. local://bus or tcp://host:7000");
        }
        Map<String, Connector> known = new TreeMap<>();
        for (Connector c : ServiceLoader.load(Connector.class, Daak.class.getClassLoader())) {
            for (String s : c.schemes()) {
                known.putIfAbsent(s, c);
            }
        }
        Connector connector = known.get(scheme.toLowerCase(java.util.Locale.ROOT));
        if (connector == null) {
            throw new IllegalArgumentException("uri='" + uri + "': no transport handles the scheme '" + scheme
                    + "'; known schemes: " + known.keySet()
                    + " (add the module of the transport, e.g. rsocket-transport for tcp and ws, to the classpath)");
        }
        return connector.connect(parsed);
    }

    /**
     * A handle that runs an interceptor chain around every call of another handle, local or remote: the
     * way to add metrics, tracing or authorisation on a client ({@link LocalOptions#interceptor} does the
     * same inside an in-process engine). The chain sees each call before the delegate and may change its
     * fields (e.g. add trace headers, which travel with the message); the handlers this handle serves
     * are wrapped so that the chain sees each request they answer as {@link Operation#HANDLE}.
     *
     * <pre>{@code
     * Daak daak = Daak.intercepted(Daak.connect("tcp://localhost:7878"), tracing, metrics);
     * }</pre>
     *
     * <p>Closing the returned handle closes the delegate.
     *
     * @param delegate the handle that does the work
     * @param chain the interceptors, first sees the call first
     * @return the intercepted handle
     */
    static Daak intercepted(Daak delegate, Interceptor... chain) {
        Objects.requireNonNull(delegate, "delegate");
        Objects.requireNonNull(chain, "chain");
        for (int i = 0; i < chain.length; i++) {
            Objects.requireNonNull(chain[i], "chain[" + i + "]");
        }
        return new InterceptedDaak(delegate, java.util.List.of(chain));
    }

    // ---------------------------------------------------------------- publish/subscribe

    /**
     * Publishes a value to every subscription whose selector matches the topic.
     *
     * @param topic the topic
     * @param value the value, an instance of the topic's type
     * @param fields headers, sender, timestamp, priority, time-to-live
     * @param <T> the value type
     * @return the result once every matching subscription has taken (or dropped) the message; under
     *     {@link Overflow.Policy#BLOCK} it waits for room
     */
    <T> Mono<PublishResult> publish(Topic<T> topic, T value, Fields fields);

    /**
     * Publishes a value with no optional fields.
     *
     * @param topic the topic
     * @param value the value
     * @param <T> the value type
     * @return the result
     * @see #publish(Topic, Object, Fields)
     */
    default <T> Mono<PublishResult> publish(Topic<T> topic, T value) {
        return publish(topic, value, Fields.none());
    }

    /**
     * A publication: a handle for publishing to one topic at a high rate, with a {@code tryPublish}
     * that needs no {@code Mono}.
     *
     * @param topic the topic
     * @param <T> the value type
     * @return the publication
     * @throws DaakException when the topic is new and the engine already holds its maximum number of
     *     topics
     */
    <T> Publication<T> publication(Topic<T> topic);

    /**
     * Publishes a stream of values in order, each after the previous one was taken, so that a
     * {@link Overflow.Policy#BLOCK} subscriber's demand paces the source.
     *
     * @param topic the topic
     * @param values the values
     * @param <T> the value type
     * @return one result per value
     */
    default <T> Flux<PublishResult> publishAll(Topic<T> topic, Publisher<? extends T> values) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(values, "values");
        return Flux.<T>from(values).concatMap(v -> publish(topic, v), 1);
    }

    /**
     * Subscribes to the topics a selector matches.
     *
     * @param selector the topics, e.g. {@code Selector.of("sensors/**", Reading.class)}
     * @param options where to start and what to do when falling behind
     * @param <T> the value type
     * @return the messages, infinite until cancelled or the handle closes
     */
    <T> Flux<Message<T>> subscribe(Selector<T> selector, SubscribeOptions options);

    /**
     * Subscribes to new messages of the topics a selector matches, with the default overflow policy.
     *
     * @param selector the topics
     * @param <T> the value type
     * @return the messages
     */
    default <T> Flux<Message<T>> subscribe(Selector<T> selector) {
        return subscribe(selector, SubscribeOptions.defaults());
    }

    /**
     * Subscribes to new messages of one topic.
     *
     * @param topic the topic
     * @param <T> the value type
     * @return the messages
     */
    default <T> Flux<Message<T>> subscribe(Topic<T> topic) {
        return subscribe(topic.selector(), SubscribeOptions.defaults());
    }

    // ---------------------------------------------------------------- key/value

    /**
     * Sets the value of a key.
     *
     * @param key the key
     * @param value the value
     * @param fields headers, sender, timestamp
     * @param <T> the value type
     * @return the revision of this change
     */
    <T> Mono<Long> put(Key<T> key, T value, Fields fields);

    /**
     * Sets the value of a key.
     *
     * @param key the key
     * @param value the value
     * @param <T> the value type
     * @return the revision of this change
     */
    default <T> Mono<Long> put(Key<T> key, T value) {
        return put(key, value, Fields.none());
    }

    /**
     * Reads the value and revision of a key.
     *
     * @param key the key
     * @param fields headers and sender identity of the reader (seen by interceptors, e.g. for
     *     authorisation); the time-to-live bounds a remote read
     * @param <T> the value type
     * @return the entry, or empty when the key has no value
     */
    <T> Mono<Entry<T>> entry(Key<T> key, Fields fields);

    /**
     * Reads the value and revision of a key.
     *
     * @param key the key
     * @param <T> the value type
     * @return the entry, or empty when the key has no value
     */
    default <T> Mono<Entry<T>> entry(Key<T> key) {
        return entry(key, Fields.none());
    }

    /**
     * Reads the value of a key.
     *
     * @param key the key
     * @param <T> the value type
     * @return the value, or empty when the key has no value
     */
    default <T> Mono<T> get(Key<T> key) {
        return entry(key).map(Entry::value);
    }

    /**
     * Deletes a key.
     *
     * @param key the key
     * @param fields headers and sender identity of the deleter
     * @param <T> the value type
     * @return true when the key had a value
     */
    <T> Mono<Boolean> delete(Key<T> key, Fields fields);

    /**
     * Deletes a key.
     *
     * @param key the key
     * @param <T> the value type
     * @return true when the key had a value
     */
    default <T> Mono<Boolean> delete(Key<T> key) {
        return delete(key, Fields.none());
    }

    /**
     * Watches the keys a selector matches. With {@link Start#latest()} the stream begins with the
     * current value of every matching key.
     *
     * @param selector the keys
     * @param options where to start ({@link Start.Kind#NEW} or {@link Start.Kind#LATEST}) and what to
     *     do when falling behind
     * @param <T> the value type
     * @return the changes, infinite until cancelled
     */
    <T> Flux<Change<T>> watch(Selector<T> selector, SubscribeOptions options);

    /**
     * Watches the keys a selector matches, from now on.
     *
     * @param selector the keys
     * @param <T> the value type
     * @return the changes
     */
    default <T> Flux<Change<T>> watch(Selector<T> selector) {
        return watch(selector, SubscribeOptions.defaults());
    }

    // ---------------------------------------------------------------- queues

    /**
     * Sends a value to a queue.
     *
     * @param queue the queue
     * @param value the value
     * @param fields headers, sender, priority (higher first), time-to-live
     * @param <T> the value type
     * @return completes once the queue holds the message; errors when the queue is full
     */
    <T> Mono<Void> send(Queue<T> queue, T value, Fields fields);

    /**
     * Sends a value to a queue.
     *
     * @param queue the queue
     * @param value the value
     * @param <T> the value type
     * @return completes once the queue holds the message
     */
    default <T> Mono<Void> send(Queue<T> queue, T value) {
        return send(queue, value, Fields.none());
    }

    /**
     * Receives from a queue, competing with the other receivers: each message goes to one of them. One
     * delivery is handed out per unit of demand.
     *
     * @param queue the queue
     * @param fields headers and sender identity of the receiver
     * @param <T> the value type
     * @return the deliveries; ack each one
     */
    <T> Flux<Delivery<T>> recv(Queue<T> queue, Fields fields);

    /**
     * Receives from a queue.
     *
     * @param queue the queue
     * @param <T> the value type
     * @return the deliveries; ack each one
     * @see #recv(Queue, Fields)
     */
    default <T> Flux<Delivery<T>> recv(Queue<T> queue) {
        return recv(queue, Fields.none());
    }

    // ---------------------------------------------------------------- request/reply, client/server

    /**
     * Serves a service. Several servers of one service share its requests.
     *
     * @param service the service
     * @param handler answers its requests
     * @param fields headers and sender identity of the server
     * @param <Q> the request type
     * @param <R> the response type
     * @return the registration once requests can reach the handler; dispose it to stop serving
     */
    <Q, R> Mono<Registration> serve(Service<Q, R> service, ServiceHandler<Q, R> handler, Fields fields);

    /**
     * Serves a service.
     *
     * @param service the service
     * @param handler answers its requests
     * @param <Q> the request type
     * @param <R> the response type
     * @return the registration once requests can reach the handler; dispose it to stop serving
     * @see #serve(Service, ServiceHandler, Fields)
     */
    default <Q, R> Mono<Registration> serve(Service<Q, R> service, ServiceHandler<Q, R> handler) {
        return serve(service, handler, Fields.none());
    }

    /**
     * Serves request/reply with a function.
     *
     * @param service the service
     * @param handler maps each request to its response
     * @param <Q> the request type
     * @param <R> the response type
     * @return the registration
     */
    default <Q, R> Mono<Registration> serve(
            Service<Q, R> service, Function<? super Q, ? extends Mono<? extends R>> handler) {
        return serve(service, ServiceHandler.requestReply(handler));
    }

    /**
     * Sends a request and waits for its one response.
     *
     * @param service the service
     * @param request the request
     * @param fields headers, sender; the time-to-live is the timeout
     * @param <Q> the request type
     * @param <R> the response type
     * @return the response; a {@link NoRespondersException} at once when nothing serves the service, a
     *     {@link ServiceException} when the handler failed
     */
    <Q, R> Mono<R> request(Service<Q, R> service, Q request, Fields fields);

    /**
     * Sends a request and waits for its one response.
     *
     * @param service the service
     * @param request the request
     * @param <Q> the request type
     * @param <R> the response type
     * @return the response
     */
    default <Q, R> Mono<R> request(Service<Q, R> service, Q request) {
        return request(service, request, Fields.none());
    }

    /**
     * Sends a request and receives a stream of responses.
     *
     * @param service the service
     * @param request the request
     * @param fields headers, sender; the time-to-live bounds the whole stream
     * @param <Q> the request type
     * @param <R> the response type
     * @return the responses
     */
    <Q, R> Flux<R> requestStream(Service<Q, R> service, Q request, Fields fields);

    /**
     * Sends a request and receives a stream of responses.
     *
     * @param service the service
     * @param request the request
     * @param <Q> the request type
     * @param <R> the response type
     * @return the responses
     */
    default <Q, R> Flux<R> requestStream(Service<Q, R> service, Q request) {
        return requestStream(service, request, Fields.none());
    }

    /**
     * Opens a channel: a stream of requests in, a stream of responses out.
     *
     * @param service the service
     * @param requests the requests
     * @param fields headers, sender of every request; the time-to-live bounds the whole channel
     * @param <Q> the request type
     * @param <R> the response type
     * @return the responses
     */
    <Q, R> Flux<R> channel(Service<Q, R> service, Publisher<Q> requests, Fields fields);

    /**
     * Opens a channel.
     *
     * @param service the service
     * @param requests the requests
     * @param <Q> the request type
     * @param <R> the response type
     * @return the responses
     */
    default <Q, R> Flux<R> channel(Service<Q, R> service, Publisher<Q> requests) {
        return channel(service, requests, Fields.none());
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Closes the handle: subscriptions and receivers complete, registrations end, queued and retained
     * in-process data is released. Idempotent.
     */
    @Override
    void close();

    /**
     * What happens to this handle's connection: a hot stream that first replays the latest event (the
     * current state), then each new one, and completes when the handle is closed. A remote handle
     * resumes, reconnects and re-establishes its subscriptions, watches and served services by itself;
     * these events let the application learn that it happened, and whether messages may have been
     * missed ({@link ConnectionEvent#gap()}). Handles without a connection (in-process) complete at once.
     *
     * <pre>{@code
     * daak.connectionEvents()
     *     .filter(ConnectionEvent::gap)
     *     .subscribe(e -> log.warn("reconnected to {} after {}: re-reading state", e.uri(), e.downtime()));
     * }</pre>
     *
     * @return the events; never errors
     */
    default Flux<ConnectionEvent> connectionEvents() {
        return Flux.empty();
    }

    /** Same as {@link #close()}. */
    @Override
    default void dispose() {
        close();
    }
}
