package io.daak.rsocket.auth;

import io.daak.core.Change;
import io.daak.core.Daak;
import io.daak.core.Delivery;
import io.daak.core.DeniedException;
import io.daak.core.Entry;
import io.daak.core.Fields;
import io.daak.core.Key;
import io.daak.core.Message;
import io.daak.core.Publication;
import io.daak.core.PublishResult;
import io.daak.core.Queue;
import io.daak.core.Registration;
import io.daak.core.Selector;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.daak.core.SubscribeOptions;
import io.daak.core.Topic;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One authenticated connection's view of the node's engine: every call is checked against the
 * identity's {@link Access} before it reaches the engine, every call's {@code sender} is the identity's
 * name (a client cannot claim another), and subscriptions and watches on wide selectors deliver only
 * the topics and keys the identity may see.
 *
 * <p>Why a view of the engine rather than an engine {@link io.daak.core.Interceptor}: an interceptor
 * sees the engine's calls from every connection and would have to learn the caller from a field the
 * engine carries along (the sender), so any path that lost or rewrote that field would pass unchecked.
 * The view is made per connection with its identity fixed, so nothing can reach the engine around it;
 * and it needs no change to the request dispatch (the node hands the connection this view instead of
 * the engine).
 *
 * <p>Refusals are {@link DeniedException} signals (on the wire {@code [denied]}); a refused call has
 * not reached the engine. Thread-safe.
 */
final class GuardedDaak implements Daak {

    private final Daak engine;
    private final Identity identity;
    private final Access access;

    GuardedDaak(Daak engine, Identity identity) {
        this.engine = engine;
        this.identity = identity;
        this.access = identity.access();
    }

    private DeniedException denied(Permission p, String name) {
        return new DeniedException("identity '" + identity.name() + "' may not " + p.configName + " " + p.subject()
                + " '" + name + "'; the node's access rules do not allow it (docs/security.md)");
    }

    private boolean allows(Permission p, String name) {
        return access.allows(p, name);
    }

    private Fields stamped(Fields fields) {
        return fields.sender(identity.name());
    }

    // ------------------------------------------------------------------ publish / subscribe

    @Override
    public <T> Mono<PublishResult> publish(Topic<T> topic, T value, Fields fields) {
        if (!allows(Permission.PUBLISH, topic.name())) {
            return Mono.error(denied(Permission.PUBLISH, topic.name()));
        }
        return engine.publish(topic, value, stamped(fields));
    }

    @Override
    public <T> Publication<T> publication(Topic<T> topic) {
        if (!allows(Permission.PUBLISH, topic.name())) {
            throw denied(Permission.PUBLISH, topic.name());
        }
        Publication<T> inner = engine.publication(topic);
        return new Publication<>() {
            @Override
            public Topic<T> topic() {
                return topic;
            }

            @Override
            public boolean tryPublish(T value, Fields fields) {
                return inner.tryPublish(value, stamped(fields));
            }

            @Override
            public Mono<PublishResult> publish(T value, Fields fields) {
                return inner.publish(value, stamped(fields));
            }
        };
    }

    @Override
    public <T> Flux<Message<T>> subscribe(Selector<T> selector, SubscribeOptions options) {
        String pattern = selector.pattern();
        if (!access.mayOverlap(Permission.SUBSCRIBE, pattern)) {
            return Flux.error(denied(Permission.SUBSCRIBE, pattern));
        }
        Flux<Message<T>> messages = engine.subscribe(selector, options);
        if (selector.isExact() || access.allowsEverything(Permission.SUBSCRIBE)) {
            // An exact name that overlaps a rule is allowed; ** allows every topic.
            return messages;
        }
        return messages.filter(m -> allows(Permission.SUBSCRIBE, m.topic()));
    }

    // ------------------------------------------------------------------ key/value

    @Override
    public <T> Mono<Long> put(Key<T> key, T value, Fields fields) {
        if (!allows(Permission.WRITE, key.name())) {
            return Mono.error(denied(Permission.WRITE, key.name()));
        }
        return engine.put(key, value, stamped(fields));
    }

    @Override
    public <T> Mono<Entry<T>> entry(Key<T> key, Fields fields) {
        if (!allows(Permission.READ, key.name())) {
            return Mono.error(denied(Permission.READ, key.name()));
        }
        return engine.entry(key, stamped(fields));
    }

    @Override
    public <T> Mono<Boolean> delete(Key<T> key, Fields fields) {
        if (!allows(Permission.WRITE, key.name())) {
            return Mono.error(denied(Permission.WRITE, key.name()));
        }
        return engine.delete(key, stamped(fields));
    }

    @Override
    public <T> Flux<Change<T>> watch(Selector<T> selector, SubscribeOptions options) {
        String pattern = selector.pattern();
        if (!access.mayOverlap(Permission.READ, pattern)) {
            return Flux.error(denied(Permission.READ, pattern));
        }
        Flux<Change<T>> changes = engine.watch(selector, options);
        if (selector.isExact() || access.allowsEverything(Permission.READ)) {
            return changes;
        }
        return changes.filter(c -> allows(Permission.READ, c.key()));
    }

    // ------------------------------------------------------------------ queues

    @Override
    public <T> Mono<Void> send(Queue<T> queue, T value, Fields fields) {
        if (!allows(Permission.SEND, queue.name())) {
            return Mono.error(denied(Permission.SEND, queue.name()));
        }
        return engine.send(queue, value, stamped(fields));
    }

    @Override
    public <T> Flux<Delivery<T>> recv(Queue<T> queue, Fields fields) {
        if (!allows(Permission.RECV, queue.name())) {
            return Flux.error(denied(Permission.RECV, queue.name()));
        }
        return engine.recv(queue, stamped(fields));
    }

    // ------------------------------------------------------------------ services

    @Override
    public <Q, R> Mono<Registration> serve(Service<Q, R> service, ServiceHandler<Q, R> handler, Fields fields) {
        if (!allows(Permission.SERVE, service.name())) {
            return Mono.error(denied(Permission.SERVE, service.name()));
        }
        return engine.serve(service, handler, stamped(fields));
    }

    @Override
    public <Q, R> Mono<R> request(Service<Q, R> service, Q request, Fields fields) {
        if (!allows(Permission.REQUEST, service.name())) {
            return Mono.error(denied(Permission.REQUEST, service.name()));
        }
        return engine.request(service, request, stamped(fields));
    }

    @Override
    public <Q, R> Flux<R> requestStream(Service<Q, R> service, Q request, Fields fields) {
        if (!allows(Permission.REQUEST, service.name())) {
            return Flux.error(denied(Permission.REQUEST, service.name()));
        }
        return engine.requestStream(service, request, stamped(fields));
    }

    @Override
    public <Q, R> Flux<R> channel(Service<Q, R> service, Publisher<Q> requests, Fields fields) {
        if (!allows(Permission.REQUEST, service.name())) {
            // Take the first request (the transport holds it for whoever subscribes) and cancel the rest.
            return Flux.from(requests).take(1).thenMany(Flux.error(denied(Permission.REQUEST, service.name())));
        }
        return engine.channel(service, requests, stamped(fields));
    }

    /** The engine belongs to the node; a connection's view has nothing of its own to close. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return "GuardedDaak[" + identity.name() + "]";
    }
}
