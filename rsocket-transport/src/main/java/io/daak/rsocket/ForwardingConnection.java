package io.daak.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.DuplexConnection;
import io.rsocket.RSocketErrorException;
import java.net.SocketAddress;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A connection that hands every call to another one; subclasses override what they watch. Buffer
 * ownership is the delegate's: {@link #sendFrame} passes ownership on, {@link #receive()} lends frames
 * as the delegate does. Thread-safe as the delegate is.
 */
abstract class ForwardingConnection implements DuplexConnection {

    /** The connection every call goes to. */
    final DuplexConnection delegate;

    ForwardingConnection(DuplexConnection delegate) {
        this.delegate = delegate;
    }

    /**
     * The type of a connection-level frame (stream 0: SETUP, RESUME, RESUME_OK, KEEPALIVE, a
     * connection's ERROR), or null for a stream's frame or a frame too short to have a header.
     */
    static io.rsocket.frame.@org.jspecify.annotations.Nullable FrameType connectionFrame(ByteBuf frame) {
        if (frame.readableBytes() < io.rsocket.frame.FrameHeaderCodec.size()
                || io.rsocket.frame.FrameHeaderCodec.streamId(frame) != 0) {
            return null;
        }
        return io.rsocket.frame.FrameHeaderCodec.frameType(frame);
    }

    @Override
    public void sendFrame(int streamId, ByteBuf frame) {
        delegate.sendFrame(streamId, frame);
    }

    @Override
    public void sendErrorAndClose(RSocketErrorException errorException) {
        delegate.sendErrorAndClose(errorException);
    }

    @Override
    public Flux<ByteBuf> receive() {
        return delegate.receive();
    }

    @Override
    public ByteBufAllocator alloc() {
        return delegate.alloc();
    }

    @Override
    public SocketAddress remoteAddress() {
        return delegate.remoteAddress();
    }

    @Override
    public Mono<Void> onClose() {
        return delegate.onClose();
    }

    @Override
    public void dispose() {
        delegate.dispose();
    }

    @Override
    public boolean isDisposed() {
        return delegate.isDisposed();
    }
}
