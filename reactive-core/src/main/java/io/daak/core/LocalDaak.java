package io.daak.core;

import java.time.Duration;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * The in-process engine: every pattern between tasks and threads of one JVM, passing values by
 * reference (or through their codecs with {@link LocalOptions#encodeInProcess(boolean)}).
 *
 * <p>Thread-safe.
 */
final class LocalDaak implements Daak {

    private final Engine engine;
    private final Topics topics;
    private final KeyValues keyValues;
    private final Queues queues;
    private final Services services;
    private final InterceptorChain interceptors;
    private volatile @Nullable Runnable onClose;

    LocalDaak(LocalOptions options, String name) {
        this.engine = new Engine(options, name);
        this.topics = new Topics(engine);
        this.keyValues = new KeyValues(engine);
        this.queues = new Queues(engine, topics);
        this.services = new Services();
        this.interceptors = new InterceptorChain(options.interceptors());
    }

    void onClose(Runnable hook) {
        this.onClose = hook;
    }

    // ------------------------------------------------------------------ checks

    private static <T> T require(@Nullable T arg, String name) {
        if (arg == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return arg;
    }

    /** Checks a value for a descriptor; {@code kind} and {@code name} name it in the message. */
    private static void checkValue(String kind, String name, Class<?> type, @Nullable Object value) {
        if (value == null) {
            throw new IllegalArgumentException("value for " + kind + " '" + name + "' must not be null");
        }
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("value for " + kind + " '" + name + "' is a "
                    + value.getClass().getName() + " but it is declared for " + type.getName());
        }
    }

    /**
     * The value as the engine stores it: the object itself, or its encoding with the descriptor's codec
     * (or the codec rules' for its name).
     */
    private Object store(String kind, String name, Object value, Class<?> type, @Nullable Codec codec) {
        if (!engine.options.encodeInProcess()) {
            return value;
        }
        return EncodedValue.encode(
                kind + " '" + name + "'",
                value,
                cast(type),
                engine.options.codecFor(name, codec),
                engine.options.allocator());
    }

    /** The value as a receiver gets it: the object itself, or a decoded copy. */
    private <T> T transfer(String kind, String name, T value, Class<T> type, @Nullable Codec codec) {
        if (!engine.options.encodeInProcess()) {
            return value;
        }
        String what = kind + " '" + name + "'";
        return EncodedValue.encode(what, value, type, engine.options.codecFor(name, codec), engine.options.allocator())
                .decode(what, type);
    }

    @SuppressWarnings("unchecked")
    private static <T> Class<T> cast(Class<?> type) {
        return (Class<T>) type;
    }

    // ------------------------------------------------------------------ interceptors

    private <R> Flux<R> intercepted(Invocation invocation, Function<Invocation, Publisher<R>> terminal) {
        return interceptors.flux(invocation, terminal);
    }

    private <R> Mono<R> interceptedMono(Invocation invocation, Function<Invocation, Mono<R>> terminal) {
        return interceptors.mono(invocation, terminal);
    }

    // ------------------------------------------------------------------ publish/subscribe

    @Override
    public <T> Mono<PublishResult> publish(Topic<T> topic, T value, Fields fields) {
        require(topic, "topic");
        require(fields, "fields");
        checkValue("topic", topic.name(), topic.type(), value);
        if (interceptors.isEmpty() && !engine.options.encodeInProcess()) {
            return topics.publish(topic.name(), value, fields); // the hot path: nothing to build per call
        }
        return interceptedMono(
                new Invocation(Operation.PUBLISH, topic.name(), fields, value),
                inv -> Mono.defer(() -> topics.publish(
                        topic.name(), store("topic", topic.name(), value, topic.type(), topic.codec()), inv.fields())));
    }

    @Override
    public <T> Publication<T> publication(Topic<T> topic) {
        require(topic, "topic");
        if (engine.isClosed()) {
            throw new IllegalStateException(engine.closedError().getMessage());
        }
        Topics.TopicState state = topics.topic(topic.name());
        boolean direct = interceptors.isEmpty() && !engine.options.encodeInProcess();
        return new Publication<>() {
            @Override
            public Topic<T> topic() {
                return topic;
            }

            @Override
            public boolean tryPublish(T value, Fields fields) {
                require(fields, "fields");
                checkValue("topic", topic.name(), topic.type(), value);
                if (direct) {
                    return topics.tryPublish(state, value, fields);
                }
                if (state.isBlocked()) {
                    return false;
                }
                Throwable[] refused = new Throwable[1];
                LocalDaak.this.publish(topic, value, fields).subscribe(r -> {}, e -> refused[0] = e);
                if (refused[0] instanceof RuntimeException e) {
                    throw e;
                }
                return true;
            }

            @Override
            public Mono<PublishResult> publish(T value, Fields fields) {
                return LocalDaak.this.publish(topic, value, fields);
            }

            @Override
            public String toString() {
                return "Publication[" + topic.name() + "]";
            }
        };
    }

    @Override
    public <T> Flux<Message<T>> subscribe(Selector<T> selector, SubscribeOptions options) {
        require(selector, "selector");
        require(options, "options");
        return intercepted(
                new Invocation(Operation.SUBSCRIBE, selector.pattern(), options.fields(), null),
                inv -> topics.subscribe(selector, options));
    }

    // ------------------------------------------------------------------ key/value

    @Override
    public <T> Mono<Long> put(Key<T> key, T value, Fields fields) {
        require(key, "key");
        require(fields, "fields");
        checkValue("key", key.name(), key.type(), value);
        return interceptedMono(
                new Invocation(Operation.PUT, key.name(), fields, value),
                inv -> Mono.defer(() -> keyValues.put(
                        key.name(), store("key", key.name(), value, key.type(), key.codec()), inv.fields())));
    }

    @Override
    public <T> Mono<Entry<T>> entry(Key<T> key, Fields fields) {
        require(key, "key");
        require(fields, "fields");
        return interceptedMono(
                new Invocation(Operation.GET, key.name(), fields, null),
                inv -> keyValues.entry(key.name(), key.type()));
    }

    @Override
    public <T> Mono<Boolean> delete(Key<T> key, Fields fields) {
        require(key, "key");
        require(fields, "fields");
        return interceptedMono(
                new Invocation(Operation.DELETE, key.name(), fields, null), inv -> keyValues.delete(key.name()));
    }

    @Override
    public <T> Flux<Change<T>> watch(Selector<T> selector, SubscribeOptions options) {
        require(selector, "selector");
        require(options, "options");
        Start.Kind kind = options.start().kind();
        if (kind != Start.Kind.NEW && kind != Start.Kind.LATEST) {
            throw new IllegalArgumentException("options.start=" + options.start()
                    + " is not supported by watch; use Start.newMessages() or Start.latest() (current values first)");
        }
        if (options.overflow().policy() == Overflow.Policy.BLOCK) {
            throw new IllegalArgumentException("options.overflow=" + options.overflow()
                    + " is not supported by watch: a put never waits for watchers; use BUFFER or a DROP policy");
        }
        return intercepted(
                new Invocation(Operation.WATCH, selector.pattern(), options.fields(), null),
                inv -> keyValues.watch(selector, options));
    }

    // ------------------------------------------------------------------ queues

    @Override
    public <T> Mono<Void> send(Queue<T> queue, T value, Fields fields) {
        require(queue, "queue");
        require(fields, "fields");
        checkValue("queue", queue.name(), queue.type(), value);
        return interceptedMono(
                new Invocation(Operation.SEND, queue.name(), fields, value),
                inv -> Mono.defer(() -> queues.send(
                        queue, store("queue", queue.name(), value, queue.type(), queue.codec()), inv.fields())));
    }

    @Override
    public <T> Flux<Delivery<T>> recv(Queue<T> queue, Fields fields) {
        require(queue, "queue");
        require(fields, "fields");
        return intercepted(new Invocation(Operation.RECV, queue.name(), fields, null), inv -> queues.recv(queue));
    }

    // ------------------------------------------------------------------ request/reply

    @Override
    @SuppressWarnings("unchecked")
    public <Q, R> Mono<Registration> serve(Service<Q, R> service, ServiceHandler<Q, R> handler, Fields fields) {
        require(service, "service");
        require(handler, "handler");
        require(fields, "fields");
        return interceptedMono(
                new Invocation(Operation.SERVE, service.name(), fields, null),
                inv -> Mono.fromCallable(() -> {
                    if (engine.isClosed()) {
                        throw engine.closedError();
                    }
                    return services.register(service.name(), (ServiceHandler<Object, Object>) handler);
                }));
    }

    /** A request as the handler sees it; the value is a decoded copy when encoding in process. */
    /**
     * A request without interceptors: chooses the server when subscribed and answers with the
     * handler's response, checked and mapped, or a {@link ServiceException}.
     */
    private final class RequestMono<Q, R> extends Mono<R> {
        private final Service<Q, R> service;
        private final Q request;
        private final Fields fields;

        RequestMono(Service<Q, R> service, Q request, Fields fields) {
            this.service = service;
            this.request = request;
            this.fields = fields;
        }

        @Override
        public void subscribe(CoreSubscriber<? super R> actual) {
            Mono<Object> reply;
            try {
                Services.Server s = server(service.name());
                reply = s.handler.request(LocalDaak.cast(requestMessage(service, request, fields)));
                if (reply == null) {
                    throw new NullPointerException("the handler returned null instead of a Mono");
                }
            } catch (Throwable e) {
                Operators.error(actual, failure(service.name(), Exceptions.unwrap(e)));
                return;
            }
            reply.subscribe(new ReplySubscriber<>(actual, service));
        }
    }

    /** Checks and maps a handler's answer; maps its error to a {@link ServiceException}. */
    private final class ReplySubscriber<R> extends Operators.MonoSubscriber<Object, R> {
        private final Service<?, R> service;
        private @Nullable Subscription upstream;
        private boolean done;

        ReplySubscriber(CoreSubscriber<? super R> actual, Service<?, R> service) {
            super(actual);
            this.service = service;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(Object value) {
            if (done) {
                Operators.onNextDropped(value, actual.currentContext());
                return;
            }
            done = true;
            R response;
            try {
                response = response(service, value);
            } catch (Throwable e) {
                actual.onError(failure(service.name(), e));
                return;
            }
            complete(response);
        }

        @Override
        public void onError(Throwable t) {
            if (done) {
                Operators.onErrorDropped(t, actual.currentContext());
                return;
            }
            done = true;
            actual.onError(failure(service.name(), t));
        }

        @Override
        public void onComplete() {
            if (!done) {
                done = true;
                actual.onComplete();
            }
        }

        @Override
        public void cancel() {
            super.cancel();
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
        }
    }

    private <Q> Message<Q> requestMessage(Service<Q, ?> service, Q value, Fields fields) {
        long ts = fields.timestamp() != null ? Clock.toNanos(fields.timestamp()) : engine.now();
        long expires = fields.ttl() == null ? 0 : ts + fields.ttl().toNanos();
        Q copy = transfer("service request", service.name(), value, service.requestType(), service.codec());
        return new Message<>(service.name(), copy, services.nextRequestId(), ts, expires, fields);
    }

    private <R> R response(Service<?, R> service, Object value) {
        if (!service.responseType().isInstance(value)) {
            throw new ServiceException(
                    service.name(),
                    "the handler answered with a " + value.getClass().getName() + ", not the declared "
                            + service.responseType().getName(),
                    null);
        }
        return transfer(
                "service response",
                service.name(),
                service.responseType().cast(value),
                service.responseType(),
                service.codec());
    }

    private static Throwable failure(String service, Throwable e) {
        if (e instanceof ServiceException || e instanceof NoRespondersException) {
            return e;
        }
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        return new ServiceException(service, message, e);
    }

    private @Nullable Duration timeout(Fields fields) {
        return fields.ttl();
    }

    private Services.Server server(String service) {
        if (engine.isClosed()) {
            throw engine.closedError();
        }
        Services.Server s = services.pick(service);
        if (s == null) {
            throw new NoRespondersException(service);
        }
        return s;
    }

    @Override
    public <Q, R> Mono<R> request(Service<Q, R> service, Q request, Fields fields) {
        require(service, "service");
        require(fields, "fields");
        checkValue("service request", service.name(), service.requestType(), request);
        if (interceptors.isEmpty()) {
            // The common case in one operator: pick a server, call it, check and map its answer.
            Mono<R> call = new RequestMono<>(service, request, fields);
            Duration ttl = timeout(fields);
            return ttl == null ? call : call.timeout(ttl, engine.scheduler());
        }
        return interceptedMono(new Invocation(Operation.REQUEST, service.name(), fields, request), inv -> {
            Mono<R> call = Mono.defer(() -> {
                Services.Server s = server(service.name());
                return interceptedMono(
                                new Invocation(Operation.HANDLE, service.name(), inv.fields(), request),
                                h -> s.handler.request(cast(requestMessage(service, request, h.fields()))))
                        .map(v -> response(service, v));
            });
            call = call.onErrorMap(e -> failure(service.name(), e));
            Duration ttl = timeout(inv.fields());
            return ttl == null ? call : call.timeout(ttl, engine.scheduler());
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> Message<T> cast(Message<?> m) {
        return (Message<T>) m;
    }

    @Override
    public <Q, R> Flux<R> requestStream(Service<Q, R> service, Q request, Fields fields) {
        require(service, "service");
        require(fields, "fields");
        checkValue("service request", service.name(), service.requestType(), request);
        return intercepted(new Invocation(Operation.REQUEST_STREAM, service.name(), fields, request), inv -> {
            Flux<R> call = Flux.defer(() -> {
                Services.Server s = server(service.name());
                return intercepted(
                                new Invocation(Operation.HANDLE, service.name(), inv.fields(), request),
                                h -> s.handler.stream(cast(requestMessage(service, request, h.fields()))))
                        .map(v -> response(service, v));
            });
            call = call.onErrorMap(e -> failure(service.name(), e));
            Duration ttl = timeout(inv.fields());
            return ttl == null ? call : call.take(ttl, engine.scheduler());
        });
    }

    @Override
    public <Q, R> Flux<R> channel(Service<Q, R> service, Publisher<Q> requests, Fields fields) {
        require(service, "service");
        require(requests, "requests");
        require(fields, "fields");
        return intercepted(new Invocation(Operation.CHANNEL, service.name(), fields, null), inv -> {
            Flux<R> call = Flux.defer(() -> {
                Services.Server s = server(service.name());
                return intercepted(new Invocation(Operation.HANDLE, service.name(), inv.fields(), null), h -> {
                            Flux<Message<Object>> in = Flux.from(requests).map(q -> {
                                checkValue("service request", service.name(), service.requestType(), q);
                                return cast(requestMessage(service, q, h.fields()));
                            });
                            return s.handler.channel(service.name(), in);
                        })
                        .map(v -> response(service, v));
            });
            call = call.onErrorMap(e -> failure(service.name(), e));
            Duration ttl = timeout(inv.fields());
            return ttl == null ? call : call.take(ttl, engine.scheduler());
        });
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void close() {
        if (!engine.close()) {
            return;
        }
        topics.close();
        keyValues.close();
        queues.close();
        services.close();
        Runnable hook = onClose;
        if (hook != null) {
            hook.run();
        }
    }

    @Override
    public boolean isDisposed() {
        return engine.isClosed();
    }

    @Override
    public String toString() {
        return "Daak[" + engine.name + "]";
    }
}
