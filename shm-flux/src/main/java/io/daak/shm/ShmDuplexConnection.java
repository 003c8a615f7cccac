package io.daak.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.DuplexConnection;
import io.rsocket.RSocketErrorException;
import io.rsocket.frame.ErrorFrameCodec;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An RSocket {@link DuplexConnection} over an shm channel. Frames keep their boundaries in the rings,
 * so no length prefix is added; frames from {@link ShmOptions#zeroCopyThreshold()} up are copied once
 * into the sender's pool and read in place by the receiver. RSocket encodes frames with
 * {@link FrameAllocator}. Thread-safe.
 */
final class ShmDuplexConnection implements DuplexConnection {

    private final ShmConnection channel;

    ShmDuplexConnection(ShmConnection channel) {
        this.channel = channel;
    }

    /** Takes ownership of {@code frame}: released once written into shared memory, or at close. */
    @Override
    public void sendFrame(int streamId, ByteBuf frame) {
        channel.sendOwned(frame);
    }

    @Override
    public void sendErrorAndClose(RSocketErrorException e) {
        channel.sendOwned(ErrorFrameCodec.encode(alloc(), 0, e));
        channel.dispose();
    }

    /** Lends each frame: valid only during {@code onNext}; RSocket retains what it keeps. */
    @Override
    public Flux<ByteBuf> receive() {
        return channel.receive();
    }

    @Override
    public ByteBufAllocator alloc() {
        return FrameAllocator.INSTANCE;
    }

    @Override
    public SocketAddress remoteAddress() {
        return UnixDomainSocketAddress.of(channel.socketPath());
    }

    /** Completes on an orderly close; errors with {@link ShmPeerLostException} when the peer died. */
    @Override
    public Mono<Void> onClose() {
        return channel.onClose().then(Mono.defer(() -> {
            ShmPeerLostException lost = channel.lostError();
            return lost != null ? Mono.error(lost) : Mono.empty();
        }));
    }

    @Override
    public void dispose() {
        channel.dispose();
    }

    @Override
    public boolean isDisposed() {
        return channel.isDisposed();
    }

    @Override
    public String toString() {
        return "ShmDuplexConnection[" + channel + "]";
    }
}
