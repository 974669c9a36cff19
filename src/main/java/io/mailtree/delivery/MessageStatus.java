package io.mailtree.delivery;

/**
 * The status of a message's row. The column stores {@link #name()}; a message is {@link #QUEUED}
 * until it reaches one of the final statuses.
 */
enum MessageStatus {
    /** Waiting for delivery, or for a retry after a temporary failure. */
    QUEUED,
    /** The relay took it for every recipient it was still due to (some may have bounced). */
    DELIVERED,
    /** Every recipient bounced, hard or soft (past the retry horizon). */
    BOUNCED,
    /** Every recipient was on the account's suppression list: nothing was sent. */
    SUPPRESSED,
    /** The relay refused our sender permanently: nothing is wrong with the recipients. */
    FAILED
}
