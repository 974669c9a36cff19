/**
 * Sharing from a master to its sub-accounts (D-26 … D-28), the part every kind of shared thing has
 * in common: the fan-out that copies into each chosen sub-account in a transaction of its own
 * ({@link io.mailtree.accounts.sharing.SubaccountShares}), the one per-target outcome
 * ({@link io.mailtree.accounts.sharing.ShareResult}) and the one picker the pages show
 * ({@link io.mailtree.accounts.sharing.SharePicker}, with the {@code sharing :: picker} fragment).
 * What is copied stays with its module: lists and test recipients in {@code contacts}, templates,
 * images and e-mails in {@code content}. A named interface, so that those two modules can use it.
 */
@org.springframework.modulith.NamedInterface("sharing")
package io.mailtree.accounts.sharing;
