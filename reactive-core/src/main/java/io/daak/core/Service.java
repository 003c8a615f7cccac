package io.daak.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A service for request/reply and client/server streams: a name, the request type, the response type
 * and optionally the codec.
 *
 * <pre>{@code
 * Service<String, Integer> length = Service.of("text/length", String.class, Integer.class);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param <Q> the request type
 * @param <R> the response type
 */
public final class Service<Q, R> {

    private final String name;
    private final Class<Q> requestType;
    private final Class<R> responseType;
    private final @Nullable Codec codec;

    private Service(String name, Class<Q> requestType, Class<R> responseType, @Nullable Codec codec) {
        this.name = name;
        this.requestType = requestType;
        this.responseType = responseType;
        this.codec = codec;
    }

    /**
     * A service without a fixed codec.
     *
     * @param name the name, e.g. {@code text/length}; no wildcards, no empty segments
     * @param requestType the Java type of requests
     * @param responseType the Java type of responses
     * @param <Q> the request type
     * @param <R> the response type
     * @return the service
     * @throws IllegalArgumentException when the name is null, blank or malformed, or a type is null
     */
    public static <Q, R> Service<Q, R> of(String name, Class<Q> requestType, Class<R> responseType) {
        Names.checkName("service", name);
        Names.checkType("service request", requestType);
        Names.checkType("service response", responseType);
        return new Service<>(name, requestType, responseType, null);
    }

    /**
     * This service with a codec for both requests and responses.
     *
     * @param codec the codec
     * @return a new descriptor
     */
    public Service<Q, R> withCodec(Codec codec) {
        Objects.requireNonNull(codec, "codec");
        if (!codec.supports(requestType) || !codec.supports(responseType)) {
            throw new IllegalArgumentException("codec=" + codec.mimeType() + " does not support the types of service='"
                    + name + "' (" + requestType.getName() + " -> " + responseType.getName() + ")");
        }
        return new Service<>(name, requestType, responseType, codec);
    }

    /**
     * The name.
     *
     * @return the service name
     */
    public String name() {
        return name;
    }

    /**
     * The request type.
     *
     * @return the Java type of requests
     */
    public Class<Q> requestType() {
        return requestType;
    }

    /**
     * The response type.
     *
     * @return the Java type of responses
     */
    public Class<R> responseType() {
        return responseType;
    }

    /**
     * The codec.
     *
     * @return the codec, or null when the service does not fix one
     */
    public @Nullable Codec codec() {
        return codec;
    }

    @Override
    public String toString() {
        return "Service[" + name + ", " + requestType.getSimpleName() + " -> " + responseType.getSimpleName() + "]";
    }
}
