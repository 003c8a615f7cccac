package io.daak.rsocket;

import io.daak.core.Daak;
import io.daak.core.DaakContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The whole behavioural contract through a node over TCP. */
@org.junit.jupiter.api.extension.ExtendWith(NoLeaks.class)
class TcpContractTest implements DaakContract {

    private static DaakNode node;
    private Daak daak;

    @BeforeAll
    static void startNode() {
        node = NodeFixture.start();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @BeforeEach
    void connect() {
        daak = Daak.connect(node.tcpUri().toString());
    }

    @AfterEach
    void close() {
        daak.close();
    }

    @Override
    public Daak daak() {
        return daak;
    }

    @Override
    public boolean tryPublishSeesFullBlockSubscribers() {
        return false;
    }

    @Override
    public boolean wrongTypeReceiversKeepTheAttempt() {
        return false;
    }
}
