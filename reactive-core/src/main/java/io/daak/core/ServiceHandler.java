package io.daak.core;

import java.util.Objects;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The server side of a {@link Service}: answers requests, request-streams and channels. Implement the
 * interactions the service offers; the others answer with an error saying the service does not offer
 * them. The static factories adapt plain functions.
 *
 * <p>Errors (thrown or signalled) reach the requester as a {@link ServiceException}; the server keeps
 * serving. Implementations are called concurrently and MUST be thread-safe.
 *
 * @param <Q> the request type
 * @param <R> the response type
 */
public interface ServiceHandler<Q, R> {

    /**
     * Answers one request with one response.
     *
     * @param request the request with its fields
     * @return the response
     */
    default Mono<R> request(Message<Q> request) {
        return Mono.error(unsupported(request.topic(), "request/reply"));
    }

    /**
     * Answers one request with a stream of responses.
     *
     * @param request the request with its fields
     * @return the responses
     */
    default Flux<R> stream(Message<Q> request) {
        return Flux.error(unsupported(request.topic(), "request-stream"));
    }

    /**
     * Answers a stream of requests with a stream of responses.
     *
     * @param service the service name
     * @param requests the requests
     * @return the responses
     */
    default Flux<R> channel(String service, Flux<Message<Q>> requests) {
        return Flux.error(unsupported(service, "channel"));
    }

    /**
     * A handler for request/reply.
     *
     * @param fn maps a request value to its response
     * @param <Q> the request type
     * @param <R> the response type
     * @return the handler
     */
    static <Q, R> ServiceHandler<Q, R> requestReply(Function<? super Q, ? extends Mono<? extends R>> fn) {
        Objects.requireNonNull(fn, "fn");
        return new ServiceHandler<>() {
            @Override
            public Mono<R> request(Message<Q> request) {
                return Mono.defer(() -> fn.apply(request.value()));
            }
        };
    }

    /**
     * A handler for request-streams.
     *
     * @param fn maps a request value to its responses
     * @param <Q> the request type
     * @param <R> the response type
     * @return the handler
     */
    static <Q, R> ServiceHandler<Q, R> requestStream(Function<? super Q, ? extends Flux<? extends R>> fn) {
        Objects.requireNonNull(fn, "fn");
        return new ServiceHandler<>() {
            @Override
            public Flux<R> stream(Message<Q> request) {
                return Flux.defer(() -> Flux.<R>from(fn.apply(request.value())));
            }
        };
    }

    /**
     * A handler for channels.
     *
     * @param fn maps the request values to the response values
     * @param <Q> the request type
     * @param <R> the response type
     * @return the handler
     */
    static <Q, R> ServiceHandler<Q, R> channel(Function<? super Flux<Q>, ? extends Flux<? extends R>> fn) {
        Objects.requireNonNull(fn, "fn");
        return new ServiceHandler<>() {
            @Override
            public Flux<R> channel(String service, Flux<Message<Q>> requests) {
                return Flux.defer(() -> Flux.<R>from(fn.apply(requests.map(Message::value))));
            }
        };
    }

    private static DaakException unsupported(String service, String interaction) {
        return new DaakException("service '" + service + "' does not offer " + interaction
                + "; its handler implements other interactions");
    }
}
