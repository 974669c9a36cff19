package io.mailtree.keys;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.ApiKeyId;

/**
 * The operator resumed a paused key, published in the transaction that resumed it, so that the
 * queue releases the key's held mail in that same transaction.
 */
public record KeySendingResumed(ApiKeyId key, AccountId account) {
}
