/**
 * The Daak node ({@link io.daak.rsocket.DaakNode}: the engine served over RSocket on TCP and
 * WebSocket) and the remote client behind {@code Daak.connect("tcp://...")} and {@code ws://...}.
 * The wire contract is in {@code docs/wire.md}.
 */
@NullMarked
package io.daak.rsocket;

import org.jspecify.annotations.NullMarked;
