package io.mailtree.delivery;

import io.mailtree.shared.AccountId;

/**
 * D-31's port at the accept path: before the messages of a call are committed, delivery asks
 * whether the account may have {@code count} more of them, and the answer is a reservation. Billing
 * implements it (credits, monthly volumes, sub-account caps; ADR 0028); delivery knows nothing of
 * how. It is called inside the accepting transaction, after the messages are written, so a refusal
 * rolls back the whole call (nothing half-accepted) and a rollback for any other reason gives the
 * reservation back with everything else.
 */
public interface SendingAllowance {

    /**
     * Reserves {@code count} messages for {@code account} in the caller's transaction.
     *
     * @throws io.mailtree.shared.DomainProblem {@code credits_exhausted} (402) when the account's or its
     *                                          master's credits, or its monthly cap, do not cover them
     */
    void reserve(AccountId account, int count);
}
