/**
 * Shared-memory benchmarks between two JVM processes on one host: rsocket-java over shm-flux against
 * rsocket-java over TCP loopback, and the raw {@link io.daak.shm.ShmChannel} against Aeron IPC, each
 * baseline measured in the same run. Run with {@code java -jar benchmarks/target/daak-benchmarks.jar shm};
 * see {@link io.daak.benchmarks.shm.ShmBenchmarks}.
 */
@NullMarked
package io.daak.benchmarks.shm;

import org.jspecify.annotations.NullMarked;
