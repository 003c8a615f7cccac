package io.daak.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.util.DefaultPayload;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Dead peers, leftovers of crashed runs, foreign files. */
class FaultTest {

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    private static long countFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void shouldErrorTheReceiverWithinOneSecondWhenThePeerIsKilled() throws Exception {
        Path socket = TestSockets.socket("kill");
        Path files = TestSockets.fileDirectory();
        BlockingQueue<ShmChannel> accepted = new ArrayBlockingQueue<>(1);
        try (ShmServer server = ShmServer.bind(socket, ShmOptions.defaults().withDirectory(files), accepted::add);
                ChildJvm child = ChildJvm.start(SequencePeer.class, "hold", socket.toString())) {
            child.await("READY", Duration.ofSeconds(30));
            ShmChannel ch = accepted.poll(10, TimeUnit.SECONDS);
            assertThat(ch.peerPid()).isEqualTo(child.pid());
            assertThat(countFiles(files))
                    .as("the file is unlinked once both sides mapped it")
                    .isZero();
            StepVerifier v = StepVerifier.create(ch.receive())
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(ShmPeerLostException.class)
                            .hasMessageContaining("pid " + child.pid())
                            .hasMessageContaining("killed or crashed"))
                    .verifyLater();
            long killedAt = System.nanoTime();
            child.kill();
            v.verify(Duration.ofSeconds(5));
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(ONE_SECOND.plusMillis(500));
            StepVerifier.create(ch.onClose()).expectComplete().verify(ONE_SECOND);
            assertThat(server.connections()).isZero();
            assertThat(countFiles(files)).isZero();
        }
    }

    @Test
    void shouldFailRSocketStreamsWithinOneSecondWhenTheServerIsKilled() throws Exception {
        Path socket = TestSockets.socket("rskill");
        try (ChildJvm child = ChildJvm.start(SequencePeer.class, "rsocket-server", socket.toString())) {
            child.await("READY", Duration.ofSeconds(30));
            RSocket rsocket = RSocketConnector.connectWith(ShmClientTransport.create(socket))
                    .block(Duration.ofSeconds(10));
            StepVerifier v = StepVerifier.create(rsocket.requestStream(DefaultPayload.create("go")))
                    .thenConsumeWhile(p -> {
                        p.release();
                        return true;
                    })
                    // rsocket-java 1.1.5 ends every stream of a closed connection with a bare
                    // ClosedChannelException; the raw channel's error names the peer (test above).
                    .expectError(java.nio.channels.ClosedChannelException.class)
                    .verifyLater();
            long killedAt = System.nanoTime();
            child.kill();
            v.verify(Duration.ofSeconds(5));
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(ONE_SECOND.plusMillis(500));
            rsocket.dispose();
        }
    }

    @Test
    void shouldNotLetAWriterWaitForeverOnADeadReader() throws Exception {
        Path socket = TestSockets.socket("stall");
        try (ChildJvm child = ChildJvm.start(SequencePeer.class, "stall-server", socket.toString())) {
            child.await("READY", Duration.ofSeconds(30));
            ShmChannel ch = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
            child.await("CONNECTED", Duration.ofSeconds(10));
            Flux<ByteBuf> endless = Flux.generate(
                    sink -> sink.next(ByteBufAllocator.DEFAULT.buffer(1024).writeZero(1024)));
            StepVerifier v = StepVerifier.create(ch.send(endless))
                    .expectError(ShmPeerLostException.class)
                    .verifyLater();
            child.kill();
            v.verify(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldReclaimFilesAndSocketsLeftByACrashedRun() throws Exception {
        Path socket = TestSockets.socket("stale");
        Path files = TestSockets.fileDirectory();
        // No process has this pid (above the kernel's pid_max).
        Path leftover = files.resolve(ShmServer.FILE_PREFIX + "2147483600-1-2147483601" + ShmServer.FILE_SUFFIX);
        Files.write(leftover, new byte[4096]);
        Path mine =
                files.resolve(ShmServer.FILE_PREFIX + ProcessHandle.current().pid() + "-1-1" + ShmServer.FILE_SUFFIX);
        Files.write(mine, new byte[16]);
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();
        try (ShmServer server = ShmServer.bind(socket, ShmOptions.defaults().withDirectory(files), ch -> {})) {
            assertThat(leftover).doesNotExist();
            assertThat(mine).as("a live process's file stays").exists();
            ShmChannel ch = ShmChannel.connect(socket).block(Duration.ofSeconds(10));
            ch.dispose();
        }
    }

    @Test
    void shouldRefuseASecondServerOnALiveSocket() {
        Path socket = TestSockets.socket("busy");
        try (ShmServer server = ShmServer.bind(socket, ShmOptions.defaults(), ch -> {})) {
            assertThatThrownBy(() -> ShmServer.bind(socket, ShmOptions.defaults(), ch -> {}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another shm server listens on " + socket);
        }
    }

    @Test
    void shouldRefuseForeignAndCorruptFilesOnAttach() throws Exception {
        Path dir = TestSockets.fileDirectory();
        long pid = ProcessHandle.current().pid();

        Path foreign = dir.resolve("foreign");
        Files.write(foreign, new byte[8192]);
        assertThatThrownBy(() -> ConnectionFile.attach(foreign, pid))
                .hasMessageContaining("refusing shm file " + foreign)
                .hasMessageContaining("magic=0x0");

        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[10]);
        assertThatThrownBy(() -> ConnectionFile.attach(tiny, pid)).hasMessageContaining("shorter than");

        ShmOptions options = ShmOptions.defaults().withRingCapacity(64 * 1024).withPool(4096, 1);
        Path newer = dir.resolve("newer");
        ConnectionFile.create(newer, options, pid, pid);
        patchInt(newer, ConnectionFileDescriptor.VERSION_OFFSET, ConnectionFileDescriptor.VERSION + 1);
        assertThatThrownBy(() -> ConnectionFile.attach(newer, pid)).hasMessageContaining("version=2");

        Path truncated = dir.resolve("truncated");
        ConnectionFile.create(truncated, options, pid, pid);
        try (FileChannel ch = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 4096);
        }
        assertThatThrownBy(() -> ConnectionFile.attach(truncated, pid)).hasMessageContaining("header describes");

        Path badRing = dir.resolve("badRing");
        ConnectionFile.create(badRing, options, pid, pid);
        patchInt(badRing, ConnectionFileDescriptor.RING_CAPACITY_OFFSET, 1000);
        assertThatThrownBy(() -> ConnectionFile.attach(badRing, pid)).hasMessageContaining("ringCapacity=1000");

        Path other = dir.resolve("other");
        ConnectionFile.create(other, options, pid, pid);
        assertThatThrownBy(() -> ConnectionFile.attach(other, pid + 1)).hasMessageContaining("server pid=" + pid);

        Path good = dir.resolve("good");
        ConnectionFile.create(good, options, pid, pid);
        assertThat(ConnectionFile.attach(good, pid).ringCapacity).isEqualTo(64 * 1024);
    }

    private static void patchInt(Path file, int offset, int value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocateDirect(4);
            new UnsafeBuffer(b).putInt(0, value);
            ch.write(b, offset);
        }
    }

    @Test
    void shouldNameTheMissingJvmFlag() throws Exception {
        Path socket = TestSockets.socket("flag");
        try (ChildJvm child = ChildJvm.start(false, SequencePeer.class, "no-exports", socket.toString())) {
            assertThat(child.await("FAILED", Duration.ofSeconds(30)))
                    .contains("--add-exports java.base/jdk.internal.misc=ALL-UNNAMED");
        }
    }
}
