/**
 * The account tree: masters and their sub-accounts, the plan catalog, eligibility for
 * sub-accounts and the contact allowance (D-2 … D-10, D-15). The allowance is kept as counters on
 * the master row, changed in the same transaction as the act that changes it, under a row lock on
 * the master, so no read recounts contacts or sub-accounts. {@link io.mailtree.accounts.AccountTree}
 * reads the tree and runs the sub-account lifecycle, {@link io.mailtree.accounts.ContactAllowance}
 * keeps the allowance, and the named interface {@code accounts.sharing} holds what every share from
 * a master to its sub-accounts has in common (D-26 … D-28).
 * <p>Allowed dependencies, and why: {@code audit} to record every act on the tree in the same
 * transaction (D-32); {@code shared} for ids, the caller and problems. Nothing else: the tree sits
 * at the bottom of the feature modules, so any module can ask it about an account.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"audit", "shared"})
package io.mailtree.accounts;
