/**
 * Network benchmarks: a Daak node over TCP on loopback against nats-server and bare rsocket-java,
 * each baseline measured in the same run, one after the other. Run with
 * {@code java -jar benchmarks/target/daak-benchmarks.jar net}; see {@link io.daak.benchmarks.net.NetBenchmarks}.
 */
@NullMarked
package io.daak.benchmarks.net;

import org.jspecify.annotations.NullMarked;
