package io.mailtree.tracking;

import io.mailtree.shared.AccountId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An account's webhook endpoint as its owner sees it (the secret is not part of it: it is answered
 * on creation, on rotation and on explicit request).
 *
 * @param disabledReason {@code GONE} when the endpoint answered 410 and was disabled for it, else null
 * @param previousSecretUntil until when the secret before the last rotation still signs, or null
 */
public record WebhookEndpoint(UUID id, AccountId account, String url, String description, List<String> eventTypes,
        boolean enabled, String disabledReason, Instant previousSecretUntil, Instant createdAt, Instant updatedAt) {

    public boolean subscribes(String type) {
        return eventTypes.contains(type);
    }
}
