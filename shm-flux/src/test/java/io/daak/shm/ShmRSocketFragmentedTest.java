package io.daak.shm;

/** Plain rsocket-java over shm with RSocket's own fragmentation (1 KiB fragments, reassembled by RSocket). */
class ShmRSocketFragmentedTest extends ShmRSocketTest {

    @Override
    int mtu() {
        return 1024;
    }

    @Override
    int largePayloadSize() {
        return 256 * 1024;
    }
}
