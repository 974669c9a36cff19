package io.mailtree.shared.outcomes;

import io.mailtree.shared.AccountId;
import java.time.Instant;
import java.util.UUID;

/**
 * One event of the delivery outcome stream: what happened to a message (and, for the
 * recipient-level types, to one of its recipients), in the account and under the API key that sent
 * it. Delivery and inbound write these in the transaction of the message's status; consumers read
 * them through an {@link OutcomeSource}.
 *
 * @param position    where the event stands in the stream; consumers keep the last one they applied
 * @param apiKeyId    the key that sent the message, or null for mail sent from the application's pages
 * @param type        what happened
 * @param recipient   the recipient the event is about, or null for the message-level types
 * @param bounceClass for {@code BOUNCED}: {@code HARD} (the address is at fault), {@code SOFT} (no
 *                    delivery within the retry horizon, or a permanent failure that is not the
 *                    address's) or {@code BLOCK} (refused by policy: spam, DMARC, reputation;
 *                    RFC 3463 X.7.x); otherwise null. Only {@code HARD} suppresses the address.
 * @param recipientCount how many recipients an {@code ACCEPTED} event covers (the stream's own field, so
 *                    no consumer reads a number out of the English detail); null for the other types
 * @param bulkId      the bulk send (a campaign) the message belongs to, null for transactional mail:
 *                    what lets a campaign's report pick its own events out of the stream
 * @param linkIndex   for {@code CLICKED}: which of the campaign's links was clicked; otherwise null
 * @param machine     for {@code OPENED}: true when the open looks like a machine's (a privacy proxy's
 *                    prefetch, a scanner) rather than a person's; otherwise null
 * @param variant     the A/B-test variant of the bulk send the message is (0 for A, ADR 0031), null when
 *                    it is in no test: what lets the report count per variant
 */
public record Outcome(StreamPosition position, AccountId account, UUID apiKeyId, long messageId, OutcomeType type,
        String recipient, String bounceClass, String detail, Instant occurredAt, Integer recipientCount, UUID bulkId,
        Integer linkIndex, Boolean machine, Integer variant) {

    /** An event of a message in no A/B test. */
    public Outcome(StreamPosition position, AccountId account, UUID apiKeyId, long messageId, OutcomeType type,
            String recipient, String bounceClass, String detail, Instant occurredAt, Integer recipientCount, UUID bulkId,
            Integer linkIndex, Boolean machine) {
        this(position, account, apiKeyId, messageId, type, recipient, bounceClass, detail, occurredAt, recipientCount,
                bulkId, linkIndex, machine, null);
    }

    /** An event of transactional mail (no bulk, no engagement fields). */
    public Outcome(StreamPosition position, AccountId account, UUID apiKeyId, long messageId, OutcomeType type,
            String recipient, String bounceClass, String detail, Instant occurredAt, Integer recipientCount) {
        this(position, account, apiKeyId, messageId, type, recipient, bounceClass, detail, occurredAt, recipientCount,
                null, null, null);
    }

    /** An event without a recipient count: every type but {@code ACCEPTED}. */
    public Outcome(StreamPosition position, AccountId account, UUID apiKeyId, long messageId, OutcomeType type,
            String recipient, String bounceClass, String detail, Instant occurredAt) {
        this(position, account, apiKeyId, messageId, type, recipient, bounceClass, detail, occurredAt, null);
    }

    public static final String HARD = "HARD";
    public static final String SOFT = "SOFT";
    public static final String BLOCK = "BLOCK";

    /** A permanent failure for this recipient: the address should not be mailed again. */
    public boolean isHardBounce() {
        return type == OutcomeType.BOUNCED && HARD.equals(bounceClass) && recipient != null;
    }

    /** A person's open: not one that looks like a machine's. */
    public boolean isHumanOpen() {
        return type == OutcomeType.OPENED && !Boolean.TRUE.equals(machine);
    }

    /** The recipient reported the message as unwanted (feedback loop). */
    public boolean isComplaint() {
        return type == OutcomeType.COMPLAINED && recipient != null;
    }
}
