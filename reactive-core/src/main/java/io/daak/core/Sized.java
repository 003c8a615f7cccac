package io.daak.core;

/**
 * A value that knows its size in bytes, for {@link Retention#withMaxBytes byte limits}: the default
 * weigher asks it instead of counting it as 64 bytes. Implement it on value types whose size varies
 * (a frame, a point cloud) so that retention by bytes keeps what it promises.
 *
 * <p>Implementations MUST be cheap and thread-safe: the engine calls it on every publish to a topic
 * with a byte limit.
 */
public interface Sized {

    /**
     * The value's size.
     *
     * @return its size in bytes, at least 0
     */
    long sizeInBytes();
}
