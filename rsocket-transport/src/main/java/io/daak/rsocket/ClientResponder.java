package io.daak.rsocket;

import io.daak.core.Message;
import io.daak.core.Service;
import io.daak.core.ServiceHandler;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import java.time.Instant;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The client side of {@code serve}: answers the requests the node forwards to this client for the
 * services it registered. Thread-safe.
 */
final class ClientResponder implements RSocket {

    private final RemoteDaak daak;

    ClientResponder(RemoteDaak daak) {
        this.daak = daak;
    }

    /** A forwarded request: which registration, and the request message. */
    private record Call<Q, R>(RemoteDaak.Served<Q, R> served, Message<Q> message) {}

    /** Reads a forwarded payload (not released). */
    private Call<?, ?> call(Payload p, boolean routed) {
        Wire.Meta meta = Wire.read(p.hasMetadata() ? p.sliceMetadata() : null);
        WireFields f = meta.fieldsOrEmpty();
        if (routed) {
            Wire.Route route = Wire.Route.parse(meta.route());
            if (route.op() != Wire.Op.REQUEST) {
                throw new IllegalArgumentException(
                        "a client serves only 'request/<service>' routes, not '" + meta.route() + "'");
            }
        }
        RemoteDaak.Served<?, ?> served = daak.served(f.id);
        if (served == null) {
            throw new IllegalArgumentException("registration id=" + f.id + " is not served by this client (any more)");
        }
        return call(served, p, meta, f);
    }

    private <Q, R> Call<Q, R> call(RemoteDaak.Served<Q, R> served, Payload p, Wire.Meta meta, WireFields f) {
        Service<Q, R> s = served.service();
        Q value = daak.decode("service '" + s.name() + "'", p, meta, s.requestType(), s.codec());
        Instant ts = f.timestamp();
        // No MIME entry: the data is in the connection's data MIME type, given in this client's SETUP.
        String mime = meta.mimeType() != null ? meta.mimeType() : daak.dataMimeType();
        return new Call<>(served, Message.of(s.name(), value, 0, ts != null ? ts : Instant.now(), f.toFields(), mime));
    }

    private <Q, R> Payload reply(Call<Q, R> call, R value) {
        Service<Q, R> s = call.served().service();
        return daak.payload(null, value, s.responseType(), s.codec(), new WireFields());
    }

    @Override
    public Mono<Payload> requestResponse(Payload payload) {
        Call<?, ?> call;
        try {
            call = call(payload, true);
        } catch (RuntimeException e) {
            return Mono.error(Wire.toWire(e));
        } finally {
            payload.release();
        }
        return answer(call);
    }

    private <Q, R> Mono<Payload> answer(Call<Q, R> call) {
        ServiceHandler<Q, R> h = call.served().handler();
        return Mono.defer(() -> h.request(call.message()))
                .map(r -> reply(call, r))
                .onErrorMap(RemoteDaak::handlerFailure);
    }

    @Override
    public Flux<Payload> requestStream(Payload payload) {
        Call<?, ?> call;
        try {
            call = call(payload, true);
        } catch (RuntimeException e) {
            return Flux.error(Wire.toWire(e));
        } finally {
            payload.release();
        }
        return stream(call);
    }

    private <Q, R> Flux<Payload> stream(Call<Q, R> call) {
        ServiceHandler<Q, R> h = call.served().handler();
        return Flux.defer(() -> h.stream(call.message()))
                .map(r -> reply(call, r))
                .onErrorMap(RemoteDaak::handlerFailure);
    }

    @Override
    public Flux<Payload> requestChannel(Publisher<Payload> payloads) {
        return Flux.from(payloads).switchOnFirst((first, all) -> {
            Payload head = first.get();
            if (head == null) {
                return Flux.empty();
            }
            Call<?, ?> call;
            try {
                call = call(head, true);
            } catch (RuntimeException e) {
                return Flux.<Payload>error(Wire.toWire(e)).doOnSubscribe(s -> all.subscribe(Payload::release));
            }
            return channel(call, all, head);
        });
    }

    @SuppressWarnings("unchecked")
    private <Q, R> Flux<Payload> channel(Call<Q, R> call, Flux<Payload> all, Payload head) {
        RemoteDaak.Served<Q, R> served = call.served();
        // Payload objects are recycled once released: tell the first apart by position, not identity.
        java.util.concurrent.atomic.AtomicBoolean atHead = new java.util.concurrent.atomic.AtomicBoolean(true);
        Flux<Message<Q>> requests = all.map(p -> {
            try {
                if (atHead.compareAndSet(true, false)) {
                    return call.message();
                }
                Wire.Meta meta = Wire.read(p.hasMetadata() ? p.sliceMetadata() : null);
                return (Message<Q>) call(served, p, meta, meta.fieldsOrEmpty()).message();
            } finally {
                p.release();
            }
        });
        return Flux.defer(() -> served.handler().channel(served.service().name(), requests))
                .map(r -> reply(call, r))
                .onErrorMap(RemoteDaak::handlerFailure);
    }
}
