package io.daak.shm;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The handshake over the Unix-domain socket, before any shared memory is used:
 *
 * <pre>
 *   client -> server  HELLO    int magic 'DKSH', int version, long client pid
 *   server -> client  WELCOME  int magic, int version, int status (0 ok), long server pid,
 *                              short length + UTF-8 file path (or the refusal reason when status != 0)
 *   client -> server  'A' attached (the file passed every check) or 'R' refused
 * </pre>
 *
 * After 'A' the server unlinks the file and both sides start their I/O threads; from then on the
 * socket carries only wake-up bytes and a goodbye byte. Thread-safe (stateless).
 */
final class Handshake {

    static final int MAGIC = 0x44534B48;
    static final int VERSION = ConnectionFileDescriptor.VERSION;
    static final byte ATTACHED = 'A';
    static final byte REFUSED = 'R';

    private static final AtomicLong FILES = new AtomicLong();

    private Handshake() {}

    static long pid() {
        return ProcessHandle.current().pid();
    }

    static Mono<ShmConnection> connect(Path socketPath, ShmOptions options) {
        java.util.Objects.requireNonNull(socketPath, "socketPath");
        java.util.Objects.requireNonNull(options, "options");
        return Mono.fromCallable(() -> connectBlocking(socketPath, options)).subscribeOn(Schedulers.boundedElastic());
    }

    private static ShmConnection connectBlocking(Path socketPath, ShmOptions options) throws IOException {
        ShmRuntime.check();
        SocketChannel socket;
        try {
            socket = SocketChannel.open(UnixDomainSocketAddress.of(socketPath));
        } catch (IOException e) {
            throw new IOException(
                    "cannot connect to shm server socket " + socketPath + ": " + e.getMessage()
                            + "; is the server running on this host?",
                    e);
        }
        Disposable timeout = closeAfter(socket, options);
        try {
            ByteBuffer hello = ByteBuffer.allocate(16);
            hello.putInt(MAGIC).putInt(VERSION).putLong(pid()).flip();
            writeFully(socket, hello);
            ByteBuffer head = readFully(socket, 22);
            int magic = head.getInt();
            int version = head.getInt();
            int status = head.getInt();
            long serverPid = head.getLong();
            int len = head.getShort() & 0xFFFF;
            String text = StandardCharsets.UTF_8.decode(readFully(socket, len)).toString();
            if (magic != MAGIC) {
                throw new IOException("the socket " + socketPath + " is not an shm server's (magic=0x"
                        + Integer.toHexString(magic) + ")");
            }
            if (status != 0) {
                throw new IOException("shm server pid " + serverPid + " on " + socketPath + " refused: " + text);
            }
            if (version != VERSION) {
                throw new IOException("shm server on " + socketPath + " speaks version " + version + ", this side "
                        + VERSION + "; upgrade both sides");
            }
            ConnectionFile file;
            try {
                file = ConnectionFile.attach(Path.of(text), serverPid);
            } catch (RuntimeException e) {
                writeFully(socket, ByteBuffer.wrap(new byte[] {REFUSED}));
                throw e;
            }
            writeFully(socket, ByteBuffer.wrap(new byte[] {ATTACHED}));
            timeout.dispose();
            ShmConnection c = new ShmConnection(file, ConnectionFileDescriptor.CLIENT, socket, socketPath, options);
            c.start();
            return c;
        } catch (IOException | RuntimeException e) {
            timeout.dispose();
            socket.close();
            throw e;
        }
    }

    /** Server side of one accepted socket; blocking. */
    static ShmConnection accept(SocketChannel socket, Path socketPath, ShmOptions options) throws IOException {
        Disposable timeout = closeAfter(socket, options);
        ConnectionFile file = null;
        try {
            ByteBuffer hello = readFully(socket, 16);
            int magic = hello.getInt();
            int version = hello.getInt();
            long clientPid = hello.getLong();
            if (magic != MAGIC || version != VERSION) {
                String why = magic != MAGIC
                        ? "not an shm client (magic=0x" + Integer.toHexString(magic) + ")"
                        : "client version " + version + ", server version " + VERSION + "; upgrade both sides";
                writeWelcome(socket, 1, why);
                throw new IOException("refused a client on " + socketPath + ": " + why);
            }
            Path path = options.directory()
                    .resolve(ShmServer.FILE_PREFIX + pid() + "-" + FILES.incrementAndGet() + "-" + clientPid
                            + ShmServer.FILE_SUFFIX);
            file = ConnectionFile.create(path, options, pid(), clientPid);
            writeWelcome(socket, 0, path.toString());
            byte answer = readFully(socket, 1).get();
            if (answer != ATTACHED) {
                throw new IOException("client pid " + clientPid + " refused the shm file " + path);
            }
            timeout.dispose();
            file.unlink();
            ShmConnection c = new ShmConnection(file, ConnectionFileDescriptor.SERVER, socket, socketPath, options);
            c.start();
            return c;
        } catch (IOException | RuntimeException e) {
            timeout.dispose();
            if (file != null) {
                file.unlink();
            }
            socket.close();
            throw e;
        }
    }

    private static void writeWelcome(SocketChannel socket, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(22 + bytes.length);
        b.putInt(MAGIC)
                .putInt(VERSION)
                .putInt(status)
                .putLong(pid())
                .putShort((short) bytes.length)
                .put(bytes)
                .flip();
        writeFully(socket, b);
    }

    private static Disposable closeAfter(SocketChannel socket, ShmOptions options) {
        return Schedulers.parallel()
                .schedule(
                        () -> {
                            try {
                                socket.close();
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        options.handshakeTimeout().toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private static void writeFully(SocketChannel socket, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            socket.write(b);
        }
    }

    private static ByteBuffer readFully(SocketChannel socket, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (socket.read(b) < 0) {
                throw new EOFException("the shm peer closed the socket during the handshake");
            }
        }
        return b.flip();
    }
}
