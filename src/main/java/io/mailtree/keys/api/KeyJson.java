package io.mailtree.keys.api;

import io.mailtree.keys.ApiKey;
import io.mailtree.keys.KeyManagement;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** An API key as listed: never its secret, only its last four characters. */
@Schema(name = "ApiKey")
record KeyJson(
        String id,
        @Schema(description = "The account the key belongs to (the master's or one of its sub-accounts)") String account,
        String accountName,
        @Schema(description = "Public key: the HTTP Basic user name and SMTP user name") String publicKey,
        @Schema(description = "The last four characters of the current secret") String secretHint,
        String name,
        @Schema(description = "TRANSACTIONAL or MARKETING", allowableValues = {"TRANSACTIONAL", "MARKETING"}) String label,
        @Schema(description = "The key the account was created with (D-16)") boolean primary,
        @Schema(description = "ACTIVE or REVOKED") String status,
        Instant createdAt,
        Instant revokedAt,
        Instant rotatedAt,
        @Schema(description = "Until when the secret replaced by the last rotation is still accepted; null when none is")
        Instant previousSecretValidUntil,
        @Schema(description = "When the key last authenticated (to the minute)") Instant lastUsedAt,
        @Schema(description = "The client address the key last authenticated from") String lastUsedAddress) {

    static KeyJson of(KeyManagement.ListedKey listed) {
        return of(listed.key(), listed.accountName());
    }

    static KeyJson of(ApiKey key, String accountName) {
        return new KeyJson(key.id().toString(), key.accountId().toString(), accountName, key.publicKey(),
                key.secretHint(), key.name(), key.label().name(), key.primary(), key.status(), key.createdAt(),
                key.revokedAt(), key.rotatedAt(), key.previousSecretValidUntil(), key.lastUsedAt(),
                key.lastUsedAddress());
    }
}
