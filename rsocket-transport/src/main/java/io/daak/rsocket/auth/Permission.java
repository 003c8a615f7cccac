package io.daak.rsocket.auth;

import java.util.Locale;

/** What an identity may do to the names an {@link Access} rule lists. */
public enum Permission {
    /** Publish to topics. */
    PUBLISH,
    /** Subscribe to topics: receive their messages. */
    SUBSCRIBE,
    /** Read keys: get and watch. */
    READ,
    /** Write keys: put and delete. */
    WRITE,
    /** Send to queues. */
    SEND,
    /** Receive (and acknowledge) from queues. */
    RECV,
    /** Serve services. */
    SERVE,
    /** Call services: request, request-stream, channel. */
    REQUEST;

    /** The name in configuration files: the lower-case constant name. */
    final String configName = name().toLowerCase(Locale.ROOT);

    /** What the permission acts on, for error messages. */
    String subject() {
        return switch (this) {
            case PUBLISH, SUBSCRIBE -> "topic";
            case READ, WRITE -> "key";
            case SEND, RECV -> "queue";
            case SERVE, REQUEST -> "service";
        };
    }

    /** The permission a configuration name stands for. */
    static Permission fromConfig(String name) {
        for (Permission p : values()) {
            if (p.configName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown operation '" + name + "' in an allow rule; use one of publish, "
                + "subscribe, read, write, send, recv, serve, request, or all");
    }
}
