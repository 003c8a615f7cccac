package io.daak.core;

import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Any {@link Daak} with an interceptor chain around every call (see
 * {@link Daak#intercepted(Daak, Interceptor...)}): the chain sees the call, may change its fields, and
 * the delegate runs it with those fields. Servers' handlers are wrapped so that the chain also sees
 * each {@link Operation#HANDLE}.
 *
 * <p>Thread-safe as far as the delegate is.
 */
final class InterceptedDaak implements Daak {

    private final Daak delegate;
    private final InterceptorChain chain;

    InterceptedDaak(Daak delegate, List<Interceptor> interceptors) {
        this.delegate = delegate;
        this.chain = new InterceptorChain(interceptors);
    }

    /** Runs the chain around a call that has one result; {@code call} redoes it with changed fields. */
    private <R> Mono<R> mono(
            Operation op,
            String target,
            Fields fields,
            @Nullable Object value,
            Mono<R> checked,
            Function<Fields, Mono<R>> call) {
        return chain.mono(
                new Invocation(op, target, fields, value),
                inv -> inv.fields() == fields ? checked : call.apply(inv.fields()));
    }

    /** Runs the chain around a call that has a stream of results. */
    private <R> Flux<R> flux(
            Operation op,
            String target,
            Fields fields,
            @Nullable Object value,
            Flux<R> checked,
            Function<Fields, Flux<R>> call) {
        return chain.flux(
                new Invocation(op, target, fields, value),
                inv -> inv.fields() == fields ? checked : call.apply(inv.fields()));
    }

    @Override
    public <T> Mono<PublishResult> publish(Topic<T> topic, T value, Fields fields) {
        Mono<PublishResult> check = delegate.publish(topic, value, fields); // checks the arguments now
        if (chain.isEmpty()) {
            return check;
        }
        return mono(Operation.PUBLISH, topic.name(), fields, value, check, f -> delegate.publish(topic, value, f));
    }

    @Override
    public <T> Publication<T> publication(Topic<T> topic) {
        Publication<T> inner = delegate.publication(topic);
        if (chain.isEmpty()) {
            return inner;
        }
        return new Publication<>() {
            @Override
            public Topic<T> topic() {
                return topic;
            }

            @Override
            public boolean tryPublish(T value, Fields fields) {
                // The chain sees a PublishResult with sequence 0 (unknown) when taken, nothing when refused.
                boolean[] taken = {true};
                RuntimeException[] failed = {null};
                chain.mono(new Invocation(Operation.PUBLISH, topic.name(), fields, value), inv -> Mono.fromCallable(
                                        () -> inner.tryPublish(value, inv.fields())
                                                ? new PublishResult(topic.name(), 0, 0, 0)
                                                : null)
                                .switchIfEmpty(Mono.fromRunnable(() -> taken[0] = false)))
                        .subscribe(
                                r -> {},
                                e -> failed[0] = e instanceof RuntimeException re
                                        ? re
                                        : new DaakException(String.valueOf(e.getMessage()), e));
                if (failed[0] != null) {
                    throw failed[0];
                }
                return taken[0];
            }

            @Override
            public Mono<PublishResult> publish(T value, Fields fields) {
                return InterceptedDaak.this.publish(topic, value, fields);
            }

            @Override
            public String toString() {
                return inner.toString();
            }
        };
    }

    @Override
    public <T> Flux<Message<T>> subscribe(Selector<T> selector, SubscribeOptions options) {
        Flux<Message<T>> check = delegate.subscribe(selector, options);
        return flux(
                Operation.SUBSCRIBE,
                selector.pattern(),
                options.fields(),
                null,
                check,
                f -> delegate.subscribe(selector, options.fields(f)));
    }

    @Override
    public <T> Mono<Long> put(Key<T> key, T value, Fields fields) {
        Mono<Long> check = delegate.put(key, value, fields);
        return mono(Operation.PUT, key.name(), fields, value, check, f -> delegate.put(key, value, f));
    }

    @Override
    public <T> Mono<Entry<T>> entry(Key<T> key, Fields fields) {
        Mono<Entry<T>> check = delegate.entry(key, fields);
        return mono(Operation.GET, key.name(), fields, null, check, f -> delegate.entry(key, f));
    }

    @Override
    public <T> Mono<Boolean> delete(Key<T> key, Fields fields) {
        Mono<Boolean> check = delegate.delete(key, fields);
        return mono(Operation.DELETE, key.name(), fields, null, check, f -> delegate.delete(key, f));
    }

    @Override
    public <T> Flux<Change<T>> watch(Selector<T> selector, SubscribeOptions options) {
        Flux<Change<T>> check = delegate.watch(selector, options);
        return flux(
                Operation.WATCH,
                selector.pattern(),
                options.fields(),
                null,
                check,
                f -> delegate.watch(selector, options.fields(f)));
    }

    @Override
    public <T> Mono<Void> send(Queue<T> queue, T value, Fields fields) {
        Mono<Void> check = delegate.send(queue, value, fields);
        return mono(Operation.SEND, queue.name(), fields, value, check, f -> delegate.send(queue, value, f));
    }

    @Override
    public <T> Flux<Delivery<T>> recv(Queue<T> queue, Fields fields) {
        Flux<Delivery<T>> check = delegate.recv(queue, fields);
        return flux(Operation.RECV, queue.name(), fields, null, check, f -> delegate.recv(queue, f));
    }

    @Override
    public <Q, R> Mono<Registration> serve(Service<Q, R> service, ServiceHandler<Q, R> handler, Fields fields) {
        ServiceHandler<Q, R> handled = chain.isEmpty() ? handler : handled(service.name(), handler);
        Mono<Registration> check = delegate.serve(service, handled, fields);
        return mono(Operation.SERVE, service.name(), fields, null, check, f -> delegate.serve(service, handled, f));
    }

    /** The handler with the chain around each call it answers, as {@link Operation#HANDLE}. */
    private <Q, R> ServiceHandler<Q, R> handled(String name, ServiceHandler<Q, R> handler) {
        return new ServiceHandler<>() {
            @Override
            public Mono<R> request(Message<Q> request) {
                return chain.mono(
                        new Invocation(Operation.HANDLE, name, request.fields(), request.value()),
                        inv -> handler.request(withFields(request, inv.fields())));
            }

            @Override
            public Flux<R> stream(Message<Q> request) {
                return chain.flux(
                        new Invocation(Operation.HANDLE, name, request.fields(), request.value()),
                        inv -> handler.stream(withFields(request, inv.fields())));
            }

            @Override
            public Flux<R> channel(String service, Flux<Message<Q>> requests) {
                // The channel's fields are those of its first request.
                return requests.switchOnFirst((first, all) -> {
                    Message<Q> head = first.get();
                    Fields f = head != null ? head.fields() : Fields.none();
                    return chain.flux(
                            new Invocation(Operation.HANDLE, name, f, null),
                            inv -> handler.channel(
                                    service, inv.fields() == f ? all : all.map(m -> withFields(m, inv.fields()))));
                });
            }
        };
    }

    private static <Q> Message<Q> withFields(Message<Q> m, Fields fields) {
        if (m.fields() == fields) {
            return m;
        }
        @Nullable String mime = m.mimeType();
        return mime == null
                ? Message.of(m.topic(), m.value(), m.sequence(), m.timestamp(), fields)
                : Message.of(m.topic(), m.value(), m.sequence(), m.timestamp(), fields, mime);
    }

    @Override
    public <Q, R> Mono<R> request(Service<Q, R> service, Q request, Fields fields) {
        Mono<R> check = delegate.request(service, request, fields);
        return mono(
                Operation.REQUEST, service.name(), fields, request, check, f -> delegate.request(service, request, f));
    }

    @Override
    public <Q, R> Flux<R> requestStream(Service<Q, R> service, Q request, Fields fields) {
        Flux<R> check = delegate.requestStream(service, request, fields);
        return flux(
                Operation.REQUEST_STREAM,
                service.name(),
                fields,
                request,
                check,
                f -> delegate.requestStream(service, request, f));
    }

    @Override
    public <Q, R> Flux<R> channel(Service<Q, R> service, Publisher<Q> requests, Fields fields) {
        Flux<R> check = delegate.channel(service, requests, fields);
        return flux(
                Operation.CHANNEL, service.name(), fields, null, check, f -> delegate.channel(service, requests, f));
    }

    @Override
    public Flux<ConnectionEvent> connectionEvents() {
        return delegate.connectionEvents();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public boolean isDisposed() {
        return delegate.isDisposed();
    }

    @Override
    public String toString() {
        return delegate + " (intercepted)";
    }
}
