package io.daak.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Runs the lead's part of the contract against the in-process engine (until merged into DaakContract). */
class LocalPartContractTest implements PubSubContract, PullContract, KeyValueContract, BackpressureContract {

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
