package io.daak.core;

/**
 * Where an engine keeps the messages that topics retain. The default keeps them on the heap
 * ({@link #inMemory()}); durable stores implement this interface.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #open} is called once per topic, the first time the engine uses it.
 *   <li>Implementations MUST be thread-safe.
 * </ul>
 */
public interface Storage {

    /**
     * Opens the log of one topic.
     *
     * @param topic the topic name
     * @param retention what the log keeps
     * @return the log
     */
    TopicLog open(String topic, Retention retention);

    /**
     * Heap storage: each topic a bounded ring of messages.
     *
     * @return a new in-memory storage
     */
    static Storage inMemory() {
        return (topic, retention) -> {
            boolean unbounded = retention.maxBytes() == Long.MAX_VALUE && retention.maxAge() == null;
            if (unbounded && retention.maxCount() <= 1) {
                return new LatestTopicLog(retention.maxCount() == 1);
            }
            return new InMemoryTopicLog(topic, retention);
        };
    }
}
