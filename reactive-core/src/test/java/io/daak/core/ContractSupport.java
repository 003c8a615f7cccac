package io.daak.core;

import java.util.concurrent.atomic.AtomicLong;

/** What every contract test needs: the handle under test and unique names. */
public interface ContractSupport {

    /** Counter for unique names across all tests in the JVM. */
    AtomicLong COUNTER = new AtomicLong();

    /**
     * The handle under test, fresh for each test.
     *
     * @return the handle
     */
    Daak daak();

    /**
     * A name no other test uses.
     *
     * @param prefix the start of the name
     * @return {@code prefix} followed by a unique segment
     */
    default String unique(String prefix) {
        return prefix + "/t" + COUNTER.incrementAndGet();
    }
}
