package io.daak.core;

/**
 * The whole behavioural contract of a {@link Daak} handle. A transport runs it by implementing
 * {@link #daak()} with a fresh handle per test, whose engine retains {@link PullContract#RETAINED_COUNT}
 * messages for {@link PullContract#RETAINED_PATTERN} topics.
 */
public interface DaakContract
        extends PubSubContract,
                PullContract,
                KeyValueContract,
                QueueContract,
                RequestReplyContract,
                BackpressureContract {}
