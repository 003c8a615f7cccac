package io.daak.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The contract against the in-process engine. */
class LocalDaakContractTest implements DaakContract {

    private Daak daak;

    @BeforeEach
    void open() {
        daak = Daak.local(PullContract.contractOptions());
    }

    @AfterEach
    void close() {
        daak.close();
    }

    @Override
    public Daak daak() {
        return daak;
    }
}
