package io.daak.benchmarks.net;

import io.daak.core.Daak;
import io.daak.core.Key;
import io.daak.core.Selector;
import io.daak.core.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The node's memory per connection and per subscription: a fresh node in a child JVM
 * ({@link ServerProcess}), the clients in this JVM. Measures the node's used heap after full
 * collections three times: with only a probe client connected, after {@code connections} more
 * clients connected (each has made one call, a {@code get} of a missing key, which leaves no state),
 * and after each of them subscribed to {@code perConnection} topics ({@code mem/t0..}; every
 * connection subscribes to the same ones, as clients sharing a set of topics do). The probe client
 * publishes to each topic until the node's result says every subscription matched, so the last
 * measurement sees them all in place. Not thread-safe.
 */
final class NodeMemory {

    private NodeMemory() {}

    /**
     * The three measurements.
     *
     * @param connections clients connected
     * @param perConnection subscriptions per client
     * @param empty with the probe client only
     * @param connected after the clients connected
     * @param subscribed after they subscribed
     */
    record Result(
            int connections,
            int perConnection,
            ServerProcess.Heap empty,
            ServerProcess.Heap connected,
            ServerProcess.Heap subscribed) {

        double heapPerConnection() {
            return (double) (connected.usedHeap() - empty.usedHeap()) / connections;
        }

        double heapPerSubscription() {
            return (double) (subscribed.usedHeap() - connected.usedHeap()) / ((long) connections * perConnection);
        }

        double heapPerConnectionWithSubscriptions() {
            return (double) (subscribed.usedHeap() - empty.usedHeap()) / connections;
        }

        double directPerConnection() {
            return (double) (connected.direct() - empty.direct()) / connections;
        }

        double residentPerConnectionWithSubscriptions() {
            return (double) (subscribed.resident() - empty.resident()) / connections;
        }
    }

    /** Measures with a fresh node. */
    static Result run(int connections, int perConnection) {
        try (ServerProcess server = ServerProcess.start()) {
            String uri = server.daakUri();
            Daak probe = Daak.connect(uri);
            List<Daak> clients = new ArrayList<>();
            List<Disposable> subscriptions = new ArrayList<>();
            LongAdder delivered = new LongAdder();
            try {
                // Warm the node's code paths and pools once, so the baseline has them.
                Daak warm = Daak.connect(uri);
                warm.subscribe(Selector.of("mem/warm", byte[].class))
                        .subscribe(m -> {})
                        .dispose();
                PubSubThroughput.awaitMatched(probe, Topic.of("mem/warm", byte[].class), 0);
                warm.close();
                ServerProcess.Heap empty = awaitConnections(server, 1);

                Key<byte[]> missing = Key.of("mem/missing", byte[].class);
                for (int i = 0; i < connections; i++) {
                    clients.add(Daak.connect(uri));
                }
                Flux.fromIterable(clients).flatMap(c -> c.get(missing), 64).blockLast(Duration.ofSeconds(120));
                ServerProcess.Heap connected = awaitConnections(server, connections + 1);

                for (Daak c : clients) {
                    for (int t = 0; t < perConnection; t++) {
                        subscriptions.add(c.subscribe(Selector.of("mem/t" + t, byte[].class))
                                .subscribe(m -> delivered.increment()));
                    }
                }
                for (int t = 0; t < perConnection; t++) {
                    PubSubThroughput.awaitMatched(probe, Topic.of("mem/t" + t, byte[].class), connections);
                }
                ServerProcess.Heap subscribed = server.heap();
                return new Result(connections, perConnection, empty, connected, subscribed);
            } finally {
                subscriptions.forEach(Disposable::dispose);
                clients.forEach(Daak::close);
                probe.close();
            }
        }
    }

    /** Waits until the node counts {@code n} connections (closed ones leave asynchronously). */
    private static ServerProcess.Heap awaitConnections(ServerProcess server, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            ServerProcess.Heap h = server.heap();
            if (h.connections() == n) {
                return h;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the node has " + h.connections() + " connections, expected " + n);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(
                    Duration.ofMillis(50).toNanos());
        }
    }
}
