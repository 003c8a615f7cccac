package io.daak.benchmarks.shm;

import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.nio.file.Path;
import org.agrona.DirectBuffer;

/** The Aeron baseline's plumbing: the embedded driver and a publication offer that waits for room. */
final class AeronIpc {

    private AeronIpc() {}

    /**
     * Starts an embedded media driver with one thread for all its agents ({@link ThreadingMode#SHARED})
     * in a fresh directory, deleted again when the driver closes.
     */
    static MediaDriver launchDriver(Path dir) {
        return MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(dir.toString())
                .threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
    }

    /**
     * Offers one message, spinning while the publication is back-pressured or not yet connected.
     *
     * @throws IllegalStateException when the publication is closed or cannot take the message
     */
    static void offer(Publication publication, DirectBuffer buffer, int offset, int length) {
        long result;
        while ((result = publication.offer(buffer, offset, length)) < 0) {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                throw new IllegalStateException("Aeron publication " + publication.channel() + " stream "
                        + publication.streamId() + " cannot take a message: " + Publication.errorString(result));
            }
            Thread.onSpinWait();
        }
    }
}
