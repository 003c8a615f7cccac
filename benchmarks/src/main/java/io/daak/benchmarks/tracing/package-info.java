/**
 * Benchmarks of the tracing module: the overhead of metrics and tracing on publish/subscribe throughput
 * (in process and over TCP) against the same setup with the registries off, and recording throughput.
 */
@NullMarked
package io.daak.benchmarks.tracing;

import org.jspecify.annotations.NullMarked;
