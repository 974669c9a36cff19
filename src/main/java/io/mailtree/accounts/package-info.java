/**
 * The account tree: masters and their sub-accounts, the plan catalog, eligibility for
 * sub-accounts and the contact allowance (D-2 … D-10, D-15). The allowance is kept as counters on
 * the master row, changed in the same transaction as the act that changes it, under a row lock on
 * the master, so no read recounts contacts or sub-accounts. Depends on {@code audit} to record its
 * acts (D-32).
 */
package io.mailtree.accounts;
