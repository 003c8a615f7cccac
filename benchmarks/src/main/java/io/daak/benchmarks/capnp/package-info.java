/**
 * The codec benchmark's messages in Cap'n Proto, written in the form capnpc-java generates for
 * {@code benchmarks/src/main/capnp/bench.capnp}.
 */
@NullMarked
package io.daak.benchmarks.capnp;

import org.jspecify.annotations.NullMarked;
