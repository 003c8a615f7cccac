/**
 * The Daak API: one Reactor handle ({@link io.daak.core.Daak}) for publish/subscribe, key/value,
 * point-to-point queues and request/reply, with the in-process engine as the embedded default.
 */
@NullMarked
package io.daak.core;

import org.jspecify.annotations.NullMarked;
