package io.mailtree.keys;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.ApiKeyId;
import java.time.Instant;

/** An API key as listed: never its secret, only its last characters as a hint. */
public record ApiKey(ApiKeyId id, AccountId accountId, String publicKey, String secretHint, String name,
        String label, boolean primary, String status, Instant createdAt, Instant revokedAt, Instant lastUsedAt) {

    public boolean isActive() {
        return "ACTIVE".equals(status);
    }
}
