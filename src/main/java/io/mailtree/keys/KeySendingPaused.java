package io.mailtree.keys;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.ApiKeyId;

/**
 * A key was paused (D-19), published in the transaction that paused it, so that the queue holds the
 * key's queued mail in that same transaction.
 */
public record KeySendingPaused(ApiKeyId key, AccountId account) {
}
