package io.mailtree.delivery;

/**
 * The status of a message's row. The column stores {@link #name()}; a message is {@link #QUEUED}
 * (or {@link #HELD}) until it reaches one of the final statuses.
 */
public enum MessageStatus {
    /** Waiting for delivery, or for a retry after a temporary failure. */
    QUEUED,
    /**
     * Kept in the queue and not claimed, neither sent nor lost, until it is released back to
     * {@link #QUEUED} ({@link MessageHolds}): its sub-account is inactive (D-12).
     */
    HELD,
    /** The relay took it for every recipient it was still due to (some may have bounced). */
    DELIVERED,
    /** Every recipient bounced, hard or soft (past the retry horizon). */
    BOUNCED,
    /** Every recipient was on the account's suppression list: nothing was sent. */
    SUPPRESSED,
    /** The relay refused our sender permanently: nothing is wrong with the recipients. */
    FAILED;

    /** Whether the message is done with: no worker claims it again and retention may delete it. */
    public boolean isFinal() {
        return this != QUEUED && this != HELD;
    }
}
