package io.mailtree.keys;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.ApiKeyId;
import java.time.Instant;

/**
 * An API key as listed: never its secret, only its last characters as a hint.
 *
 * @param previousSecretValidUntil while a rotated-out secret is still accepted (D-17 grace
 *                                 period), the instant it stops being; null otherwise
 * @param lastUsedAt               when the key last authenticated, to the minute
 * @param lastUsedAddress          the client address it last authenticated from
 */
public record ApiKey(ApiKeyId id, AccountId accountId, String publicKey, String secretHint, String name,
        KeyLabel label, boolean primary, String status, Instant createdAt, Instant revokedAt, Instant rotatedAt,
        Instant previousSecretValidUntil, Instant lastUsedAt, String lastUsedAddress) {

    public static final String ACTIVE = "ACTIVE";
    public static final String REVOKED = "REVOKED";

    public boolean isActive() {
        return ACTIVE.equals(status);
    }

    /** Whether a rotated-out secret is still accepted at {@code now}. */
    public boolean inGracePeriod(Instant now) {
        return previousSecretValidUntil != null && now.isBefore(previousSecretValidUntil);
    }
}
