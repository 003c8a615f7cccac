package io.daak.core;

/** The operations an {@link Interceptor} sees. */
public enum Operation {
    /** {@link Daak#publish}. */
    PUBLISH,
    /** {@link Daak#subscribe}. */
    SUBSCRIBE,
    /** {@link Daak#put}. */
    PUT,
    /** {@link Daak#get} and {@link Daak#entry}. */
    GET,
    /** {@link Daak#delete}. */
    DELETE,
    /** {@link Daak#watch}. */
    WATCH,
    /** {@link Daak#send}. */
    SEND,
    /** {@link Daak#recv}. */
    RECV,
    /** {@link Daak#request}. */
    REQUEST,
    /** {@link Daak#requestStream}. */
    REQUEST_STREAM,
    /** {@link Daak#channel}. */
    CHANNEL,
    /** {@link Daak#serve}: registering a server. */
    SERVE,
    /** A server's handler answering one request, request-stream or channel. */
    HANDLE
}
