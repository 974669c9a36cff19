package io.mailtree.contacts;

import java.time.Instant;
import java.util.UUID;

/**
 * An address the account never mails, and why; {@code apiKeyId} is the key whose mail bounced or
 * drew the complaint (D-20: a marketing key's problem addresses show as its own), null for an
 * address added by hand or by mail sent without a key.
 */
public record Suppression(String email, String reason, String detail, Instant createdAt, UUID apiKeyId) {
}
