package io.mailtree.shared;

/**
 * The master at the root of an account's tree, for the audit log: it files every act under its
 * tree but sits below the {@code accounts} module and must not read its table. Implemented by the
 * account tree.
 */
public interface AccountRoots {

    /** The root (master) of {@code account}'s tree; a master is its own root. */
    AccountId rootOf(AccountId account);
}
