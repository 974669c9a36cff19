package io.mailtree.accounts;

import io.mailtree.shared.AccountId;
import java.time.Instant;

/**
 * A master made one of its inactive sub-accounts active again (D-12). Published in the transaction
 * of the activation, so a listener's writes (delivery releases the mail it held) commit or roll back
 * with it.
 */
public record SubaccountReactivated(AccountId master, AccountId subaccount, Instant at) {
}
