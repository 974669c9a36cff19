package io.mailtree.contacts;

import java.time.Instant;

/** An address the account never mails, and why. */
public record Suppression(String email, String reason, String detail, Instant createdAt) {
}
