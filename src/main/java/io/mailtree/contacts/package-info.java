/**
 * Contacts and everything organised around them: typed custom properties, lists, test recipients
 * ("受信テスター"), the suppression list, CSV imports and exports, and sharing lists and test
 * recipients from a master to its sub-accounts (D-6, D-7, D-9, D-11, D-26, D-28). Every change to
 * a subscribed contact moves the account's active-contacts counter in the same transaction through
 * {@code accounts}, which refuses what would exceed the allowance; sharing is audit-logged through
 * {@code audit}.
 * <p>Allowed dependencies, and why: {@code accounts} to move the active-contacts counter under the
 * master's lock ({@code ContactAllowance}, D-7, D-11), and its {@code sharing} interface for the
 * fan-out into each chosen sub-account, the per-target result and the share picker (D-26, D-28);
 * {@code audit} for shares (D-32); {@code shared} for ids, problems and the delivery outcome stream that its
 * suppression consumer reads ({@code shared.outcomes}), which is how bounces and complaints reach
 * the suppression list without contacts depending on delivery; {@code keys} to name on the
 * suppressions page the key whose mail caused each suppression (D-20).
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"accounts", "accounts :: sharing", "audit", "keys", "shared"})
package io.mailtree.contacts;
