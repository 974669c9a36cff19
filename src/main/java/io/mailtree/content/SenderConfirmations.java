package io.mailtree.content;

import io.mailtree.shared.AccountId;

/**
 * Whether an address is one of an account's confirmed senders. Senders are delivery's, and delivery
 * depends on content (it renders e-mails), so content declares what it needs here and delivery
 * answers it: the e-mail readiness panel flags an unconfirmed sender without content reading
 * delivery's tables (ADR 0011).
 */
public interface SenderConfirmations {

    /** True when {@code email} is a sender of {@code account} whose confirmation link was followed. */
    boolean confirmed(AccountId account, String email);
}
