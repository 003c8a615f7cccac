/**
 * Observability for Daak: Micrometer metrics ({@link io.daak.tracing.DaakMetrics}) and tracing
 * ({@link io.daak.tracing.DaakTracing}) as interceptors, a Prometheus scrape endpoint
 * ({@link io.daak.tracing.MetricsEndpoint}), a live tap ({@link io.daak.tracing.Tap}), and recording
 * to and replaying from MCAP files ({@link io.daak.tracing.McapRecorder}, {@link io.daak.tracing.Replay}).
 */
@NullMarked
package io.daak.tracing;

import org.jspecify.annotations.NullMarked;
