package io.daak.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.daak.core.Daak;
import io.daak.core.Message;
import io.daak.core.Topic;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.rsocket.frame.FrameLengthCodec;
import io.rsocket.frame.RequestNFrameCodec;
import io.rsocket.frame.RequestResponseFrameCodec;
import io.rsocket.frame.SetupFrameCodec;
import io.rsocket.util.ByteBufPayload;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

/**
 * Hostile and broken peers: garbage bytes, mutated frames, frames for streams that do not exist,
 * a frame length past every limit, a flood of SETUPs. Each may cost its own connection, never the
 * node: a healthy subscriber keeps receiving every message throughout, and no buffer leaks.
 */
@ExtendWith(NoLeaks.class)
class BadInputTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @org.junit.jupiter.api.extension.RegisterExtension
    static final NodeFixture.PerClass NODE = new NodeFixture.PerClass();

    @Test
    void theNodeShouldServeEveryoneElseWhileBadPeersComeAndGo() throws Exception {
        Topic<Integer> topic = Topic.of("hostile/healthy", Integer.class);
        int perRound = 200;
        try (Daak healthy = Daak.connect(NODE.get().tcpUri().toString());
                Daak publisher = Daak.connect(NODE.get().webSocketUri().toString())) {
            Random random = new Random(42); // a fixed seed: a failure is reproducible
            List<Runnable> attacks = List.of(
                    () -> garbage(random),
                    () -> mutatedFrames(random),
                    BadInputTest::unknownStreams,
                    BadInputTest::hugeFrameLength,
                    BadInputTest::setupFlood,
                    BadInputTest::noSetupAtAll,
                    () -> webSocket(random));
            int rounds = attacks.size();
            StepVerifier everything = healthy.subscribe(topic)
                    .map(Message::value)
                    .take(rounds * perRound)
                    .as(StepVerifier::create)
                    .expectNextSequence(
                            IntStream.range(0, rounds * perRound).boxed().toList())
                    .expectComplete()
                    .verifyLater();
            NodeFixture.awaitSubscribed(healthy);
            for (int round = 0; round < rounds; round++) {
                attacks.get(round).run();
                for (int i = 0; i < perRound; i++) {
                    publisher.publish(topic, round * perRound + i).block(WAIT);
                }
            }
            everything.verify(WAIT);
        }
    }

    @Test
    void aFrameTooShortForAHeaderShouldCloseItsConnectionWithAClearError() throws Exception {
        InetSocketAddress address = NODE.get().tcpAddress();
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(10_000);
            // A SETUP, then a length prefix of zero: an empty frame.
            s.getOutputStream().write(concat(List.of(setup(), new byte[] {0, 0, 0})));
            s.getOutputStream().flush();
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1024];
            try {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    answer.write(buf, 0, n);
                }
            } catch (IOException reset) {
                // closed by the node after its ERROR frame
            }
            assertThat(answer.toString(java.nio.charset.StandardCharsets.UTF_8))
                    .as("the node's ERROR frame, then the close")
                    .contains("malformed frame of 0 bytes: an RSocket frame starts with a 6-byte header");
        }
    }

    @Test
    void aSilentPeerShouldBeDroppedWithinItsKeepaliveLifetime() throws Exception {
        int before = NODE.get().connections();
        InetSocketAddress address = NODE.get().tcpAddress();
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            // SETUP promises a keepalive every 200 ms and allows 1 s of silence; then nothing is sent.
            ByteBuf frame = SetupFrameCodec.encode(
                    ALLOC, false, 200, 1_000, Wire.COMPOSITE, Wire.JSON, ByteBufPayload.create(Unpooled.EMPTY_BUFFER));
            s.getOutputStream().write(framed(frame));
            s.getOutputStream().flush();
            s.setSoTimeout(10_000);
            long start = System.nanoTime();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1024];
            int n;
            try {
                while ((n = in.read(buf)) >= 0) {
                    // the node's own keepalives, then the close
                }
            } catch (IOException reset) {
                // closed by the node: as good as end of stream
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("dropped after its lifetime of silence").isLessThan(Duration.ofSeconds(5));
        }
        // and its resources are freed: the node counts no more connections than before
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (NODE.get().connections() > before && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(NODE.get().connections()).isLessThanOrEqualTo(before);
    }

    // ------------------------------------------------------------------ attacks

    private static void garbage(Random random) {
        for (int c = 0; c < 20; c++) {
            byte[] junk = new byte[1 + random.nextInt(4096)];
            random.nextBytes(junk);
            exchange(junk);
        }
    }

    /** A valid SETUP, then valid publish requests with bytes flipped at random places. */
    private static void mutatedFrames(Random random) {
        for (int c = 0; c < 30; c++) {
            List<byte[]> frames = new ArrayList<>();
            frames.add(setup());
            for (int f = 0; f < 10; f++) {
                byte[] frame = request(1 + 2 * f, "publish/hostile/fuzz", "{\"n\":" + f + "}");
                int flips = 1 + random.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    // Past the 3-byte length prefix, so each mutated frame still arrives whole.
                    int at = 3 + random.nextInt(frame.length - 3);
                    frame[at] = (byte) random.nextInt(256);
                }
                frames.add(frame);
            }
            exchange(concat(frames));
        }
    }

    /** REQUEST_N and a request whose stream id is reused or absurd. */
    private static void unknownStreams() {
        ByteBuf n = FrameLengthCodec.encode(ALLOC, 0, RequestNFrameCodec.encode(ALLOC, 999, 5L));
        byte[] requestN = ByteBufUtil.getBytes(n);
        n.release();
        exchange(concat(List.of(
                setup(),
                requestN,
                request(7, "publish/hostile/a", "1"),
                request(7, "publish/hostile/a", "2"),
                request(0x7FFF_FFFF, "nonsense/route", "3"))));
    }

    /** A length prefix announcing 16 MiB, then the socket closes. */
    private static void hugeFrameLength() {
        exchange(concat(List.of(setup(), new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3})));
    }

    private static void setupFlood() {
        for (int c = 0; c < 100; c++) {
            exchange(setup());
        }
    }

    /** A request before any SETUP. */
    private static void noSetupAtAll() {
        exchange(request(1, "publish/hostile/early", "1"));
    }

    /** The WebSocket port: HTTP garbage, then upgrades followed by garbage and mutated RSocket frames. */
    private static void webSocket(Random random) {
        InetSocketAddress ws = NODE.get().webSocketAddress();
        byte[] junk = new byte[2048];
        random.nextBytes(junk);
        exchange(ws, junk);
        for (int c = 0; c < 10; c++) {
            byte[] upgrade = ("GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            List<byte[]> parts = new ArrayList<>();
            byte[] setup = setup();
            parts.add(wsFrame(java.util.Arrays.copyOfRange(setup, 3, setup.length))); // no length prefix on WS
            for (int f = 0; f < 5; f++) {
                byte[] frame = request(1 + 2 * f, "publish/hostile/ws", "{\"n\":" + f + "}");
                byte[] body = java.util.Arrays.copyOfRange(frame, 3, frame.length);
                body[random.nextInt(body.length)] = (byte) random.nextInt(256);
                parts.add(wsFrame(body));
            }
            byte[] garbage = new byte[1 + random.nextInt(100)];
            random.nextBytes(garbage);
            parts.add(garbage); // not even a WebSocket frame
            if (c % 2 == 0) {
                upgradeThenSend(ws, upgrade, concat(parts));
            } else {
                // Frames pipelined behind the upgrade request, before the node's answer (RFC 6455 forbids it):
                // the node closes the connection and leaks nothing.
                parts.add(0, upgrade);
                exchange(ws, concat(parts));
            }
        }
    }

    /**
     * Sends the upgrade request, waits for the node's 101 answer (as RFC 6455 asks of clients), then
     * sends the rest.
     */
    private static void upgradeThenSend(InetSocketAddress address, byte[] upgrade, byte[] rest) {
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(2_000);
            OutputStream out = s.getOutputStream();
            out.write(upgrade);
            out.flush();
            InputStream in = s.getInputStream();
            int matched = 0;
            byte[] end = "\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            while (matched < end.length) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
            }
            out.write(rest);
            out.flush();
            s.shutdownOutput();
            byte[] buf = new byte[8192];
            while (in.read(buf) >= 0) {
                // drain until the node closes
            }
        } catch (IOException e) {
            // timed out or reset by the node: fine
        }
    }

    /** A masked (zero key) binary WebSocket frame, as a client must send. */
    private static byte[] wsFrame(byte[] payload) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0x82);
        if (payload.length < 126) {
            out.write(0x80 | payload.length);
        } else {
            out.write(0x80 | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xFF);
        }
        out.writeBytes(new byte[4]);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ frames and sockets

    private static byte[] setup() {
        ByteBuf frame = SetupFrameCodec.encode(
                ALLOC, false, 5_000, 20_000, Wire.COMPOSITE, Wire.JSON, ByteBufPayload.create(Unpooled.EMPTY_BUFFER));
        return framed(frame);
    }

    private static byte[] request(int stream, String route, String json) {
        ByteBuf metadata = Wire.write(ALLOC, route, null, null);
        ByteBuf frame = RequestResponseFrameCodec.encodeReleasingPayload(
                ALLOC, stream, ByteBufPayload.create(Unpooled.copiedBuffer(json.getBytes()), metadata));
        return framed(frame);
    }

    private static byte[] framed(ByteBuf frame) {
        ByteBuf withLength = FrameLengthCodec.encode(ALLOC, frame.readableBytes(), frame);
        try {
            return ByteBufUtil.getBytes(withLength);
        } finally {
            withLength.release();
        }
    }

    private static byte[] concat(List<byte[]> parts) {
        int size = parts.stream().mapToInt(p -> p.length).sum();
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static void exchange(byte[] bytes) {
        exchange(NODE.get().tcpAddress(), bytes);
    }

    /** Connects, writes, reads whatever the node answers until it closes or 2 s pass, and closes. */
    private static void exchange(InetSocketAddress address, byte[] bytes) {
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(2_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            while (in.read(buf) >= 0) {
                // drain: the node answers errors and closes, or keeps the connection until we go
            }
        } catch (java.net.SocketTimeoutException e) {
            // the node kept a (half-)valid connection open: closing it is ours to do
        } catch (IOException e) {
            // reset by the node: also fine
        }
        assertThat(NODE.get().connections()).as("the node is still up").isGreaterThanOrEqualTo(0);
    }
}
