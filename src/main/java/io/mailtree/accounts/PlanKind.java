package io.mailtree.accounts;

/** How a plan is priced (D-2). */
public enum PlanKind {
    /** Priced by contact allowance; sub-accounts get contact allocations. */
    CONTACTS,
    /** Priced by e-mails per month; sub-accounts share the master's volume (no allocation). */
    MONTHLY_VOLUME,
    /** Prepaid send credits. */
    PAY_PER_SEND
}
