/**
 * Daak with Spring: {@link io.daak.examples.spring.SseApp}, a Spring Boot WebFlux application that
 * connects to a Daak node and serves its topics over HTTP, as server-sent events to read and as POST
 * requests to publish. See {@code docs/spring.md}.
 */
@NullMarked
package io.daak.examples.spring;

import org.jspecify.annotations.NullMarked;
