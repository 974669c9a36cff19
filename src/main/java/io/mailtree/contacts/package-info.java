/**
 * Contacts and everything organised around them: typed custom properties, lists, test recipients
 * ("受信テスター"), the suppression list, CSV imports and exports, and sharing lists and test
 * recipients from a master to its sub-accounts (D-6, D-7, D-9, D-11, D-26, D-28). Every change to
 * a subscribed contact moves the account's active-contacts counter in the same transaction through
 * {@code accounts}, which refuses what would exceed the allowance; sharing is audit-logged through
 * {@code audit}.
 */
package io.mailtree.contacts;
