package io.daak.core;

/**
 * The caller's identity may not do what it asked: a node with access control refused the operation
 * before doing anything (the topic, key, queue or service is unchanged).
 */
public final class DeniedException extends DaakException {

    private static final long serialVersionUID = 1L;

    /**
     * A refusal.
     *
     * @param message what was refused, for whom, and what to change (e.g. the node's access rules)
     */
    public DeniedException(String message) {
        super(message);
    }
}
