package io.daak.shm;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit extension failing the class when Netty's leak detector (paranoid in the test JVMs) reports
 * an unreleased {@code ByteBuf}. Reports come when a buffer is collected, so after the class it runs
 * the collector and allocates a little, which is when the detector looks at its queue.
 */
final class LeakWatch implements AfterAllCallback {

    private static final Queue<String> REPORTED = new ConcurrentLinkedQueue<>();

    static {
        // Netty's own detectors (they still log), each also telling this class what it found.
        ResourceLeakDetectorFactory netty = ResourceLeakDetectorFactory.instance();
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> type, int interval, long maxActive) {
                ResourceLeakDetector<T> detector = netty.newResourceLeakDetector(type, interval, maxActive);
                detector.setLeakListener((name, records) -> REPORTED.add(name + records));
                return detector;
            }
        });
    }

    @Override
    public void afterAll(ExtensionContext context) {
        for (int round = 0; round < 5; round++) {
            System.gc();
            for (int i = 0; i < 100; i++) {
                ByteBufAllocator.DEFAULT.directBuffer(8).release();
            }
        }
        assertThat(REPORTED).as("ByteBufs never released (Netty leak detector)").isEmpty();
    }
}
