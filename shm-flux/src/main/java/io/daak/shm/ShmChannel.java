package io.daak.shm;

import io.netty.buffer.ByteBuf;
import java.nio.file.Path;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A raw reactive channel to another process on this host through shared memory: messages sent with
 * {@link #send} arrive, whole and in order, on the peer's {@link #receive}. Demand is mapped onto ring
 * capacity: the receiver reads the ring only while its subscriber has demand, and a sender takes
 * messages from its publisher only while they fit, so nothing is lost and nothing is buffered without
 * bound.
 *
 * <pre>{@code
 * ShmServer server = ShmServer.bind(Path.of("/tmp/app.sock"), ShmOptions.defaults(),
 *         ch -> ch.receive().subscribe(buf -> handle(buf)));   // buf is lent: valid only in onNext
 *
 * ShmChannel ch = ShmChannel.connect(Path.of("/tmp/app.sock")).block();
 * ByteBuf big = ch.loan(16 << 20);                             // pool memory, shared with the peer
 * try {
 *     fill(big);
 * } catch (RuntimeException e) {
 *     big.release();                                           // an unsent loan goes back to the pool
 *     throw e;
 * }
 * ch.send(Mono.just(big)).block();                             // no copy: the peer reads it in place
 * ch.dispose();
 * }</pre>
 *
 * <p>For streams of small messages at high rates there is a fast path that makes no object per
 * message: {@link #tryOffer} copies a message from the caller's (reusable) buffer into the ring at once,
 * {@link #writable()} waits for room, and {@link #receiveBatches()} lends many messages at a time, read
 * in place in the ring.
 *
 * <p>When the peer process dies the channel closes at once and {@link #receive()} signals
 * {@link ShmPeerLostException}. Thread-safe.
 */
public interface ShmChannel extends Disposable {

    /**
     * Connects to an {@link ShmServer} on this host with the default options.
     *
     * @param socketPath the server's Unix-domain socket
     * @return the channel once both sides have mapped the connection file
     */
    static Mono<ShmChannel> connect(Path socketPath) {
        return connect(socketPath, ShmOptions.defaults());
    }

    /**
     * Connects to an {@link ShmServer} on this host.
     *
     * @param socketPath the server's Unix-domain socket
     * @param options handshake timeout and spin time (sizes come from the server)
     * @return the channel once both sides have mapped the connection file
     */
    static Mono<ShmChannel> connect(Path socketPath, ShmOptions options) {
        return Handshake.connect(socketPath, options).cast(ShmChannel.class);
    }

    /**
     * The messages from the peer, in order. Only one subscriber. Each {@code ByteBuf} is lent: valid
     * only during {@code onNext}; {@code retain()} it to keep it, and never release one that was not
     * retained (the channel then fails with an {@link IllegalStateException}). Small messages (up to
     * 1 KiB) are views of a receive buffer shared with the messages around them, which a retained one
     * keeps; large messages are read-only views of shared memory, returned to the peer's pool when
     * released. Completes when the peer closes, errors with {@link ShmPeerLostException} when it dies;
     * cancelling closes the channel.
     *
     * @return the inbound messages
     */
    Flux<ByteBuf> receive();

    /**
     * Sends messages, taking ownership of each (released once written into shared memory). Requests
     * from {@code messages} only as the ring drains. Several {@code send}s may run at once; their
     * messages interleave.
     *
     * @param messages the messages
     * @return completes when every message is in shared memory; errors with the publisher's error or
     *     when the channel closes first
     */
    Mono<Void> send(Publisher<? extends ByteBuf> messages);

    /**
     * The same messages as {@link #receive()}, many at a time: each {@link ShmBatch} holds the
     * consecutive messages read in one pass and is lent during {@code onNext} only, its messages read in
     * place in the inbound ring, so that no object is made per message. One demand is one batch (of up
     * to 256 messages); the ring is read only while there is demand, so a slow subscriber back-pressures
     * the sender as with {@link #receive()}. Only one subscriber for {@code receive()} and
     * {@code receiveBatches()} together. Completes when the peer closes, errors with
     * {@link ShmPeerLostException} when it dies; cancelling closes the channel.
     *
     * @return the inbound messages, in batches
     */
    Flux<ShmBatch> receiveBatches();

    /**
     * Copies one message into the outbound ring at once, if it has room: the fast path for a sender that
     * reuses its buffer (which it may change again as soon as this returns). Never blocks. Neither the
     * buffer's indices nor its reference count change. Messages offered from one thread arrive in the
     * order offered; they interleave with those of {@link #send} calls as concurrent sends do. Meant for
     * one offering thread at a time (several are safe, but take turns on the ring); the channel's I/O
     * thread (for example in a {@link #receiveBatches()} subscriber answering each message) may offer too.
     * When this returns false, offer again later or wait with {@link #writable()}.
     *
     * @param buffer holds the message
     * @param index where the message starts in {@code buffer}
     * @param length the message's length, at most {@link #maxOfferLength()}
     * @return true when the message is in shared memory; false when the ring has no room for it now
     * @throws IllegalArgumentException when {@code length} is above {@link #maxOfferLength()} (send larger
     *     messages with {@link #send}, or a {@link #loan})
     * @throws IndexOutOfBoundsException when the range is outside {@code buffer}
     * @throws ShmPeerLostException when the channel is closed or closing, or the peer is gone
     */
    boolean tryOffer(ByteBuf buffer, int index, int length);

    /**
     * The largest message {@link #tryOffer} takes: one ring record, an eighth of the ring.
     *
     * @return the limit in bytes
     */
    int maxOfferLength();

    /**
     * Waits for room in the outbound ring: completes, on the channel's I/O thread or at once, when at
     * least a quarter of the ring is free (room for any message {@link #tryOffer} takes, unless another
     * sender fills it first). Without a subscriber nothing waits.
     *
     * @return completes when there is room; errors with {@link ShmPeerLostException} when the channel
     *     closes first or is closed
     */
    Mono<Void> writable();

    /**
     * Loans a buffer from this side's shared pool, to be filled and passed to {@link #send}: the peer
     * then reads it in place, without a copy. Releasing a loan without sending it returns it to the
     * pool. When the pool has no room the result is an ordinary direct buffer, sent by copy.
     *
     * @param size the capacity, fixed
     * @return an empty buffer of {@code size} bytes, owned by the caller
     */
    ByteBuf loan(int size);

    /**
     * The pid of the process at the other end.
     *
     * @return the peer's pid
     */
    long peerPid();

    /**
     * The server socket this channel was set up through.
     *
     * @return the socket path
     */
    Path socketPath();

    /**
     * Completes when the channel has closed, for whatever reason.
     *
     * @return the close signal
     */
    Mono<Void> onClose();

    /** Closes the channel after writing what was queued (up to one second); the peer's receive completes. */
    @Override
    void dispose();
}
