package io.daak.rsocket;

import io.daak.core.Daak;
import io.daak.core.DaakContract;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The whole behavioural contract through a node: one node per class, a fresh client per test. */
@ExtendWith(NoLeaks.class)
abstract class RemoteContract implements DaakContract {

    private static DaakNode node;
    private Daak daak;

    /** The URI a client of {@code node} connects to. */
    abstract URI uri(DaakNode node);

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
        daak = Daak.connect(uri(node).toString());
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
