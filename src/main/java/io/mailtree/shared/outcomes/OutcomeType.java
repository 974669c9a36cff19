package io.mailtree.shared.outcomes;

/**
 * What an event of the outcome stream says happened. The {@code message_event.event_type} column
 * stores {@link #name()}; the recipient-level types name one recipient of the message.
 */
public enum OutcomeType {
    /** The send API or SMTP submission accepted the message (message level). */
    ACCEPTED,
    /** The message entered the delivery queue (message level). */
    QUEUED,
    /** The relay took the message for this recipient. */
    DELIVERED,
    /** A temporary failure for this recipient: tried again later. */
    DEFERRED,
    /** A bounce for this recipient, hard (permanent) or soft (no delivery within the retry horizon). */
    BOUNCED,
    /** This recipient reported the message as unwanted (feedback loop). */
    COMPLAINED,
    /** This recipient is on the account's suppression list: not sent to. */
    SUPPRESSED,
    /** The relay refused our sender for this recipient: nothing is wrong with the address. */
    FAILED,
    /** The message is held in the queue, neither sent nor lost (message level; the detail says why). */
    HELD,
    /** A held message is back in the queue, due at once (message level). */
    RELEASED,
    /** This recipient's mail program loaded the open pixel (campaign mail; maybe a machine's prefetch). */
    OPENED,
    /** This recipient followed one of the campaign's tracked links ({@link Outcome#linkIndex()}). */
    CLICKED,
    /** This recipient unsubscribed through the mail's link (RFC 8058 one-click or the confirm page). */
    UNSUBSCRIBED
}
