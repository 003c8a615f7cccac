/**
 * Codecs for Daak topics, keys, queues and services: JSON and CBOR (Jackson) beside the core's raw
 * bytes and UTF-8 text, a {@link io.daak.codec.CodecRegistry} by MIME type and Java type with
 * {@link java.util.ServiceLoader} registration, and transcoding between formats that share a value
 * model.
 */
@NullMarked
package io.daak.codec;

import org.jspecify.annotations.NullMarked;
