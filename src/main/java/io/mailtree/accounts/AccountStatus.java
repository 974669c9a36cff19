package io.mailtree.accounts;

/** D-12: an inactive sub-account cannot sign in, its keys are refused and its mail is held. */
public enum AccountStatus {
    ACTIVE, INACTIVE
}
