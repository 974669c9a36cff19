package io.mailtree.shared;

import java.util.Collection;
import java.util.Set;

/**
 * Which of some addresses an account must not mail. Contacts keeps the suppression list and answers
 * this; delivery asks it when it claims a batch, without depending on contacts (which consumes
 * delivery's outcomes to fill the list).
 */
public interface SuppressedRecipients {

    /** The given addresses (as given) that are on the account's suppression list. */
    Set<String> suppressedAmong(AccountId account, Collection<String> emails);
}
