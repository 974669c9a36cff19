package io.mailtree.shared;

import java.util.Optional;

/**
 * The e-mail address of an account's owner, for modules that write to the owner (the key alerts of
 * {@code keys}) but sit below {@code access}, which keeps the users. Implemented by {@code access}.
 */
public interface AccountOwners {

    /** The owner's address, or empty when the account has no owner (yet). */
    Optional<String> ownerEmail(AccountId account);
}
