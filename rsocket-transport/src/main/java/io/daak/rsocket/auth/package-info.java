/**
 * Authentication and authorisation for Daak nodes: identities
 * from a configuration file ({@link io.daak.rsocket.auth.NodeSecurity}), salted password and token
 * hashes ({@link io.daak.rsocket.auth.PasswordHash}), per-identity access rules
 * ({@link io.daak.rsocket.auth.Access}). Message authentication between clients is
 * {@link io.daak.rsocket.MessageAuthentication}, TLS {@code DaakNode.Builder.tls}. See
 * {@code docs/security.md}.
 */
@NullMarked
package io.daak.rsocket.auth;

import org.jspecify.annotations.NullMarked;
