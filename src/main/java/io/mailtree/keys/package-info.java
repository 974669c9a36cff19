/**
 * API keys (D-16, D-17): every account gets a primary key when created; a key is a public key and a
 * secret that is shown once and stored only as a SHA-256 hash behind a recognisable prefix, so
 * leaked secrets can be scanned for. Authenticates API calls.
 * <p>Allowed dependencies: {@code shared} only. Whether a key's account may still use it is decided
 * by the caller's resolution in {@code access}, so keys need not know the tree.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"shared"})
package io.mailtree.keys;
