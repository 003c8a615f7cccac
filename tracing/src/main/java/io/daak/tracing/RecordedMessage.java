package io.daak.tracing;

import io.daak.core.RawValue;
import java.util.Objects;

/**
 * One message of a recording: its topic, its value as recorded (bytes, MIME type, Java type) and its
 * times. Immutable.
 *
 * @param topic the topic it was published on
 * @param value the encoded value
 * @param sequence its per-topic sequence number (the low 32 bits, as MCAP keeps them)
 * @param logTimeNanos when it was recorded, nanoseconds since the epoch
 * @param publishTimeNanos when it was published (its message timestamp), nanoseconds since the epoch
 */
public record RecordedMessage(String topic, RawValue value, long sequence, long logTimeNanos, long publishTimeNanos) {

    /**
     * Checks the components.
     *
     * @param topic the topic
     * @param value the value
     * @param sequence the sequence number
     * @param logTimeNanos the recording time
     * @param publishTimeNanos the publish time
     */
    public RecordedMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(value, "value");
    }
}
