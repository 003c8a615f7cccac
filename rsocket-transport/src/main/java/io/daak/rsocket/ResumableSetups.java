package io.daak.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.rsocket.ConnectionSetupPayload;
import io.rsocket.DuplexConnection;
import io.rsocket.RSocket;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.frame.FrameType;
import io.rsocket.frame.SetupFrameCodec;
import io.rsocket.transport.ServerTransport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Makes the node's refusal of a resumable SETUP reach the client. rsocket-java 1.1.5 queues that
 * REJECTED_SETUP error on the session's resumable connection, which has not started sending yet, so
 * the frame never leaves and the client waits forever. The node therefore remembers, per resume token,
 * the transport connection that carried each resumable SETUP, and on a refusal writes the error on that
 * connection itself, closes it, and ends the session.
 *
 * <p>Memory: one map entry per connection whose resumable SETUP is being accepted, removed when it is
 * accepted, refused or closed. Thread-safe.
 */
final class ResumableSetups {

    private final Map<String, DuplexConnection> pending = new ConcurrentHashMap<>();

    /** The given server transport, with the SETUP of every connection it accepts looked at. */
    <T extends io.rsocket.Closeable> ServerTransport<T> watch(ServerTransport<T> transport) {
        return new ServerTransport<>() {
            @Override
            public Mono<T> start(ConnectionAcceptor acceptor) {
                return transport.start(connection -> acceptor.apply(new Watched(connection)));
            }

            @Override
            public int maxFrameLength() {
                return transport.maxFrameLength();
            }
        };
    }

    /** The key of a SETUP's session, or null when it does not ask for resumption. */
    static @Nullable String key(ConnectionSetupPayload setup) {
        return setup.isResumeEnabled() ? ByteBufUtil.hexDump(setup.resumeToken()) : null;
    }

    /** The SETUP with this key was accepted: nothing more to remember for it. */
    void accepted(@Nullable String key) {
        if (key != null) {
            pending.remove(key);
        }
    }

    /**
     * The SETUP with this key was refused: sends the refusal on its transport connection, closes it and
     * ends the session's requester.
     *
     * @return the refusal, to be signalled to rsocket as well
     */
    <T> Mono<T> refused(@Nullable String key, RSocket requester, Throwable refusal) {
        DuplexConnection connection = key != null ? pending.remove(key) : null;
        if (connection != null) {
            connection.sendErrorAndClose(
                    refusal instanceof RejectedSetupException r
                            ? r
                            : new RejectedSetupException(String.valueOf(refusal.getMessage())));
            connection.onClose().subscribe(null, e -> requester.dispose(), requester::dispose);
        }
        return Mono.error(refusal);
    }

    private void seen(DuplexConnection connection, ByteBuf frame) {
        if (ForwardingConnection.connectionFrame(frame) == FrameType.SETUP && SetupFrameCodec.resumeEnabled(frame)) {
            String key = ByteBufUtil.hexDump(SetupFrameCodec.resumeToken(frame));
            pending.put(key, connection);
            connection
                    .onClose()
                    .subscribe(null, e -> pending.remove(key, connection), () -> pending.remove(key, connection));
        }
    }

    /** A transport connection whose first frame is looked at on its way to RSocket. */
    private final class Watched extends ForwardingConnection {

        /** Whether the first frame went by (receive has one subscriber, frames come one at a time). */
        private boolean looked;

        Watched(DuplexConnection delegate) {
            super(delegate);
        }

        @Override
        public Flux<ByteBuf> receive() {
            return delegate.receive().doOnNext(frame -> {
                if (!looked) {
                    looked = true;
                    seen(delegate, frame);
                }
            });
        }
    }
}
