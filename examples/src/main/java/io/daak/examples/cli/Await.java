package io.daak.examples.cli;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;

/**
 * Runs a stream to its end on the calling thread, the way a command does: an interrupt (how a test stops a
 * command in process) cancels it, as Ctrl-C ends the JVM of the real tool. Stateless.
 */
final class Await {

    /** The exit code of a command that was interrupted, as a shell reports SIGINT. */
    static final int INTERRUPTED = 130;

    private Await() {}

    /**
     * Subscribes and waits for the end of the stream.
     *
     * @return true when it completed, false when the thread was interrupted (the stream is then cancelled
     *     and the interrupt flag set again)
     * @throws RuntimeException the stream's error
     */
    /**
     * The stream until the node closes the handle's connection on purpose (it shuts down); a remote
     * handle would otherwise wait for the node to come back, which a command line tool should not.
     */
    static <T> Flux<T> untilNodeShutdown(io.daak.core.Daak daak, Flux<T> stream) {
        return stream.takeUntilOther(daak.connectionEvents().filter(io.daak.core.ConnectionEvent::closedByPeer));
    }

    static boolean completion(Flux<?> stream) {
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
        Disposable subscription = stream.subscribe(
                v -> {},
                e -> {
                    failure.set(e);
                    done.countDown();
                },
                done::countDown);
        try {
            done.await();
        } catch (InterruptedException e) {
            subscription.dispose();
            Thread.currentThread().interrupt();
            return false;
        }
        Throwable e = failure.get();
        if (e != null) {
            throw Exceptions.propagate(e);
        }
        return true;
    }

    /**
     * The exit code of a command whose stream ended by itself: 0 when it got its {@code --count}, otherwise
     * the node ended it (it shut down), which is reported as a failure.
     *
     * @param count the {@code --count}, or -1 for none
     */
    static int endOf(PrintStream err, String command, String what, long got, String unit, long count) {
        if (count > 0 && got >= count) {
            return 0;
        }
        err.println(
                "daak " + command + ": the node ended " + what + " after " + got + " " + unit + " (did it shut down?)");
        return DaakCli.FAILED;
    }
}
