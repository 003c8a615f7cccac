/**
 * Observability for Daak: Micrometer metrics ({@code DaakMetrics}) and tracing
 * ({@code DaakTracing}) as interceptors, a Prometheus scrape endpoint
 * ({@code MetricsEndpoint}), a live tap ({@code Tap}), and recording
 * to and replaying from MCAP files ({@code McapRecorder}, {@code Replay}).
 */
@NullMarked
package io.daak.tracing;

import org.jspecify.annotations.NullMarked;
