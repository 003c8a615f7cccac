package io.daak.benchmarks.shm;

/**
 * What the peer of a raw-channel benchmark (shm or Aeron) does with each message, the same for both
 * transports. Every message starts with a long: a data message's sequence number (0 and up), or a
 * command (negative) followed by two longs:
 *
 * <pre>{@code
 * ECHO  (-1, size, 0)      echo every data message back, unchanged, until the next command
 * COUNT (-2, size, count)  take count data messages of size bytes numbered 0..count-1, then answer
 * DONE  (-3, received, 0)  the peer's answer: how many arrived in order with the right size; -1 - n
 *                          when message n was missing, out of order or the wrong size
 * REPLY (-4, size, 0)      answer every data message with a new one of the same size and sequence number,
 *                          written into a zero-copy loan (shm only)
 * }</pre>
 *
 * Not thread-safe: one per connection, used by the thread that reads it.
 */
final class Script {

    /** Bytes of a command or an answer. */
    static final int COMMAND_LENGTH = 3 * Long.BYTES;

    static final long ECHO = -1;
    static final long COUNT = -2;
    static final long DONE = -3;
    static final long REPLY = -4;

    /** What to do with a message. */
    enum Action {
        /** Nothing (a command, or a counted message). */
        NONE,
        /** Send the message back unchanged. */
        ECHO,
        /** Send a new message of the same size and sequence number. */
        REPLY,
        /** Send {@code DONE(answer())}. */
        ANSWER
    }

    private long mode;
    private long size;
    private long count;
    private long received;
    private long failedAt = -1;

    /**
     * Takes one message.
     *
     * @param first the message's first long
     * @param second its second long (meaningful for commands only)
     * @param third its third long (meaningful for commands only)
     * @param length its length in bytes
     * @return what to do with it
     */
    Action onMessage(long first, long second, long third, int length) {
        if (first < 0) {
            mode = first;
            size = second;
            count = third;
            received = 0;
            failedAt = -1;
            return Action.NONE;
        }
        if (mode == ECHO) {
            return Action.ECHO;
        }
        if (mode == REPLY) {
            return Action.REPLY;
        }
        if (mode != COUNT) {
            throw new IllegalStateException("data message " + first + " before any command");
        }
        if (failedAt < 0 && (first != received || length != size)) {
            failedAt = received;
        }
        received++;
        return received == count ? Action.ANSWER : Action.NONE;
    }

    /** The answer after a COUNT: the count, or {@code -1 - n} when message n was wrong. */
    long answer() {
        return failedAt >= 0 ? -1 - failedAt : received;
    }

    /**
     * Checks a peer's answer to a COUNT.
     *
     * @throws IllegalStateException naming the first lost or misordered message
     */
    static void checkAnswer(String system, long answer, long count) {
        if (answer != count) {
            throw new IllegalStateException(system + ": the peer received "
                    + (answer < 0 ? "a wrong message at sequence " + (-1 - answer) : answer + " messages")
                    + " of " + count + ": messages were lost or reordered");
        }
    }
}
