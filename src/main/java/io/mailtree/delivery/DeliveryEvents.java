package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import java.time.Instant;
import java.util.UUID;

/**
 * Application events delivery publishes as facts, so reputation (per key, D-18), tracking and
 * billing listen instead of being called by delivery.
 */
public final class DeliveryEvents {

    private DeliveryEvents() {
    }

    /** The relay accepted the message for this recipient. */
    public record MessageDelivered(AccountId account, UUID apiKeyId, String messageId, String recipient, Instant at) {
    }

    /** The message bounced for this recipient; {@code hard} for a permanent failure. */
    public record MessageBounced(AccountId account, UUID apiKeyId, String messageId, String recipient, boolean hard,
            String diagnostic, Instant at) {
    }

    /** The recipient complained (feedback loop). */
    public record ComplaintReceived(AccountId account, UUID apiKeyId, String messageId, String recipient,
            String feedbackType, Instant at) {
    }
}
