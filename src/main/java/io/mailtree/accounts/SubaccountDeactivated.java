package io.mailtree.accounts;

import io.mailtree.shared.AccountId;
import java.time.Instant;

/**
 * A master deactivated one of its sub-accounts (D-12). Published in the transaction of the
 * deactivation, so a listener's writes (delivery holds the sub-account's queued mail) commit or roll
 * back with it.
 */
public record SubaccountDeactivated(AccountId master, AccountId subaccount, Instant at) {
}
