package io.mailtree.delivery;

import io.mailtree.shared.AccountId;

/**
 * D-31's hook: whether an account may have {@code count} more messages accepted now. Billing will
 * implement it with credits and monthly volumes; until then every account may send.
 */
public interface SendingAllowance {

    /** Answers null when allowed, or the reason (shown to the client with code {@code insufficient_credits}). */
    String refusal(AccountId account, int count);
}
