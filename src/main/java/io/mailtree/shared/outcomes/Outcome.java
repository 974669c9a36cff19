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
 */
public record Outcome(StreamPosition position, AccountId account, UUID apiKeyId, long messageId, OutcomeType type,
        String recipient, String bounceClass, String detail, Instant occurredAt, Integer recipientCount) {

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

    /** The recipient reported the message as unwanted (feedback loop). */
    public boolean isComplaint() {
        return type == OutcomeType.COMPLAINED && recipient != null;
    }
}
