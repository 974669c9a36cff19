package io.mailtree.keys;

/** A key just created, with its secret: the only moment the secret exists outside the caller's hands. */
public record IssuedKey(ApiKey key, String secret) {
}
