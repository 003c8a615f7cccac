package io.daak.rsocket;

import io.netty.buffer.ByteBuf;
import io.rsocket.DuplexConnection;
import io.rsocket.RSocket;
import io.rsocket.RSocketErrorException;
import io.rsocket.exceptions.Exceptions;
import io.rsocket.exceptions.RejectedResumeException;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.frame.FrameHeaderCodec;
import io.rsocket.frame.FrameType;
import io.rsocket.transport.ClientTransport;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * Watches one client session's frames from the node, so that RSocket resumption only resumes what is
 * worth resuming: a session the node accepted. A resuming rsocket-java client treats every lost
 * connection as a blip, so on its own it would keep resuming a session whose SETUP the node refused
 * (bad credentials) or that never got an answer (a plain client at a TLS port); the probe's
 * {@link #retry()} gives up at once in those cases, and {@link #rejection()} tells callers why.
 *
 * <p>The probe only looks at frame headers; it never retains or releases a frame. Thread-safe.
 */
final class SessionProbe {

    /** Told when a connection of the session is lost and when the session resumed. */
    interface Listener {
        /** A transport connection of the session ended; resumption follows unless the session ends. */
        void lost(@Nullable Throwable cause);

        /** The node confirmed a RESUME: the session goes on. */
        void resumed();
    }

    private final Listener listener;

    /** The session's current transport connection. */
    private volatile @Nullable DuplexConnection active;

    /** This session's RSocket once connected: a refusal disposes it. */
    private volatile @Nullable RSocket session;

    /** Whether the node answered anything on this session: it accepted the SETUP. */
    private volatile boolean answered;

    /** The node's goodbye (CONNECTION_CLOSE, it shuts down), once seen: nothing to resume. */
    private volatile @Nullable RSocketErrorException ended;

    /** Whether the client said goodbye: the connection that closes next is not to be resumed. */
    private volatile boolean leaving;

    /** The node's refusal of the SETUP (or of a RESUME), once seen. */
    private volatile @Nullable RSocketErrorException rejection;

    /** @param listener told of lost connections and resumptions */
    SessionProbe(Listener listener) {
        this.listener = listener;
    }

    /**
     * Ends the session on purpose: tells the node (CONNECTION_CLOSE on the current connection) so that
     * it frees the session at once instead of keeping it for a resume that will not come.
     */
    void goodbye() {
        leaving = true;
        DuplexConnection c = active;
        if (c != null && !c.isDisposed()) {
            c.sendErrorAndClose(new io.rsocket.exceptions.ConnectionCloseException("the client closed its handle"));
        }
    }

    /** Ties the probe to the session's RSocket; a refusal seen before or after disposes it. */
    RSocket attach(RSocket rs) {
        session = rs;
        if (rejection != null) {
            rs.dispose();
        }
        return rs;
    }

    /** The given transport, with every connection it makes (the first and each resumed one) watched. */
    ClientTransport watch(ClientTransport transport) {
        // After the goodbye no new connection is made: the session ends instead of resuming.
        return () -> Mono.defer(() -> leaving
                ? Mono.error(new io.rsocket.exceptions.ConnectionCloseException("the client closed its handle"))
                : transport.connect().<DuplexConnection>map(Watched::new));
    }

    /** Whether the node has answered on this session: it accepted the SETUP. */
    boolean answered() {
        return answered;
    }

    /** The node's refusal of this session, if it sent one. */
    @Nullable
    RSocketErrorException rejection() {
        return rejection;
    }

    /** The node's goodbye (CONNECTION_CLOSE: it shut down), if it said one on this session. */
    @Nullable
    RSocketErrorException ended() {
        return ended;
    }

    /**
     * What the resuming client does after a lost connection: nothing, when the node never accepted this
     * session or refused it; else tries again with backoff for as long as the session lasts.
     */
    Retry retry(Duration firstBackoff, Duration maxBackoff) {
        RetryBackoffSpec backoff = Retry.backoff(Long.MAX_VALUE, firstBackoff).maxBackoff(maxBackoff);
        return Retry.from(signals -> backoff.generateCompanion(signals.filter(s -> {
            RSocketErrorException refused = rejection;
            if (refused != null) {
                throw refused;
            }
            if (leaving) {
                throw new io.rsocket.exceptions.ConnectionCloseException("the client closed its handle");
            }
            if (!answered) {
                throw new RejectedResumeException("the node never answered this connection: nothing to resume");
            }
            RSocketErrorException goodbye = ended;
            if (goodbye != null) {
                throw goodbye;
            }
            if (refused(s.failure())) {
                // Nothing listens there: the node is gone (or restarting, which forgets sessions).
                throw new RejectedResumeException("the node refused a new connection: " + s.failure());
            }
            return true;
        })));
    }

    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    private void seen(ByteBuf frame) {
        if (!answered && frame.readableBytes() >= FrameHeaderCodec.size()) {
            answered = true;
        }
        FrameType type = ForwardingConnection.connectionFrame(frame);
        if (type == FrameType.RESUME_OK) {
            listener.resumed();
        } else if (type == FrameType.ERROR) {
            RuntimeException e = Exceptions.from(0, frame);
            if (e instanceof io.rsocket.exceptions.ConnectionCloseException closing) {
                // The node is going: the session ends with this connection. Disposed now, since
                // rsocket-java would try one reconnect before it asks the retry.
                ended = closing;
                RSocket rs = session;
                if (rs != null) {
                    rs.dispose();
                }
            } else if ((e instanceof RejectedSetupException || e instanceof RejectedResumeException)
                    && rejection == null) {
                rejection = (RSocketErrorException) e;
                RSocket rs = session;
                if (rs != null) {
                    rs.dispose();
                }
            }
        }
    }

    /** A connection whose inbound frames the probe sees on their way to RSocket. */
    private final class Watched extends ForwardingConnection {

        /** Whether a reader has subscribed to this connection's frames (Reactor Netty takes one). */
        private final java.util.concurrent.atomic.AtomicBoolean read = new java.util.concurrent.atomic.AtomicBoolean();

        Watched(DuplexConnection delegate) {
            super(delegate);
            active = delegate;
        }

        @Override
        public Flux<ByteBuf> receive() {
            return Flux.defer(() -> {
                if (!read.compareAndSet(false, true)) {
                    // rsocket-java subscribes once more to drain a connection it gives up while resuming
                    // (the handle closed meanwhile); Reactor Netty refuses a second reader, and the refusal
                    // was logged as a dropped error. The first reader owns (and releases) the frames.
                    return Flux.empty();
                }
                return delegate.receive()
                        .doOnNext(SessionProbe.this::seen)
                        .doOnError(e -> listener.lost(ended != null ? ended : e))
                        .doOnComplete(() -> listener.lost(ended));
            });
        }
    }
}
