package io.mailtree.accounts;

/** A master account (created by sign-up) or one of its sub-accounts (D-5). */
public enum AccountKind {
    MASTER, SUB
}
