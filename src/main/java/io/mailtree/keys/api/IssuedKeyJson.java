package io.mailtree.keys.api;

import io.mailtree.keys.IssuedKey;
import io.swagger.v3.oas.annotations.media.Schema;

/** A key just created or rotated, with its secret: the only answer that ever holds it. */
@Schema(name = "ApiKeyWithSecret")
record IssuedKeyJson(
        @Schema(description = "The key as listed") KeyJson key,
        @Schema(description = "Secret, shown once; store it now. Mailtree keeps only its SHA-256 hash") String secret) {

    static IssuedKeyJson of(IssuedKey issued, String accountName) {
        return new IssuedKeyJson(KeyJson.of(issued.key(), accountName), issued.secret());
    }
}
