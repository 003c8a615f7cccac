package io.daak.core;

/**
 * A subscriber fell further behind than its {@link Overflow} policy allows ({@link Overflow.Policy#BUFFER}
 * or {@link Overflow.Policy#ERROR}); its stream ends with this error.
 */
public final class OverflowException extends DaakException {

    private static final long serialVersionUID = 1L;

    /**
     * An overflow.
     *
     * @param what the topic selector, key selector or queue of the subscription
     * @param overflow the policy that overflowed
     */
    public OverflowException(String what, Overflow overflow) {
        super("subscriber of '" + what + "' fell behind: " + overflow
                + " is full; request faster, raise the capacity, or choose DROP_OLDEST, DROP_LATEST or BLOCK");
    }

    /**
     * An overflow reported elsewhere, for transports that rebuild the error a node sent.
     *
     * @param message the message as the node wrote it
     */
    public OverflowException(String message) {
        super(message);
    }
}
