package io.mailtree.content;

import java.time.Instant;

/** An image of an account's library, served publicly at {@code /i/{token}}. */
public record Image(long id, String token, String fileName, String contentType, long sizeBytes, String sha256,
        String storageKey, Instant createdAt) {

    /** The path of its public URL; the full URL is the installation's base URL plus this. */
    public String path() {
        return "/i/" + token;
    }
}
