package io.daak.benchmarks.net;

import io.daak.rsocket.DaakNode;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * The server side of the network benchmarks, run in its own JVM by {@link ServerProcess}: a
 * {@link DaakNode} on TCP and a bare rsocket-java echo server (request-response answers with the
 * request's payload; it accepts resumable sessions), both on {@code 127.0.0.1} and free ports, idle until a client uses them.
 *
 * <p>Talks to its parent over standard input and output, one line each way:
 *
 * <pre>{@code
 * <- READY <daak tcp port> <rsocket echo port>      (once, when both accept connections)
 * -> heap          <- HEAP <used heap after GC> <Netty direct memory in use> <live threads> <node connections>
 * -> jit           <- JIT <milliseconds the JIT compilers have worked so far>
 * -> quit          (or end of input: the parent is gone) closes both and exits
 * }</pre>
 */
public final class NetServer {

    private NetServer() {}

    /**
     * Starts the servers and answers the parent's commands until {@code quit} or end of input.
     *
     * @param args none
     * @throws IOException when standard input fails
     */
    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        DaakNode node =
                DaakNode.builder().host("127.0.0.1").tcpPort(0).noWebSocket().start();
        CloseableChannel echo =
                Objects.requireNonNull(RSocketServer.create(SocketAcceptor.forRequestResponse(Mono::just))
                        .payloadDecoder(PayloadDecoder.ZERO_COPY)
                        // for clients that ask for it (one baseline does); the others get plain sessions
                        .resume(new io.rsocket.core.Resume())
                        .bind(TcpServerTransport.create("127.0.0.1", 0))
                        .block(Duration.ofSeconds(30)));
        try {
            out.println("READY " + node.tcpAddress().getPort() + " "
                    + echo.address().getPort());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
                if (line.equals("heap")) {
                    out.println("HEAP " + usedHeapAfterGc() + " " + directMemory() + " " + Thread.activeCount() + " "
                            + node.connections());
                } else if (line.equals("jit")) {
                    out.println(io.daak.benchmarks.Warmup.jitAnswer());
                } else {
                    out.println("ERROR unknown command '" + line + "': heap, jit, quit");
                }
            }
        } finally {
            echo.dispose();
            node.close();
        }
        System.exit(0);
    }

    /** Used heap after full collections, in bytes. */
    static long usedHeapAfterGc() {
        long used = Long.MAX_VALUE;
        // A few rounds: objects with finalizers or cleaners need more than one collection to go.
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Direct memory held by Netty's default allocator, in bytes; -1 when it has no metrics. */
    static long directMemory() {
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            return p.metric().usedDirectMemory();
        }
        return -1;
    }
}
