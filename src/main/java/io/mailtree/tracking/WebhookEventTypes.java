package io.mailtree.tracking;

import io.mailtree.shared.outcomes.OutcomeType;

import java.util.List;
import java.util.Map;

/**
 * The event types an endpoint can subscribe to. Message events (deliveries, and the opens, clicks
 * and unsubscribes of campaign mail) come from the delivery outcome stream; campaign state changes
 * and key events are published by the reputation feature through {@link Webhooks#publish}; the
 * {@code test} event goes to one endpoint on request, whatever it subscribed to.
 */
public final class WebhookEventTypes {

    public static final String DELIVERED = "message.delivered";
    public static final String DEFERRED = "message.deferred";
    public static final String BOUNCED = "message.bounced";
    public static final String COMPLAINED = "message.complained";
    public static final String SUPPRESSED = "message.suppressed";
    public static final String KEY_WARNED = "key.warned";
    public static final String KEY_PAUSED = "key.paused";
    public static final String KEY_RESUMED = "key.resumed";
    /** A recipient of campaign mail loaded its open pixel (ADR 0027); {@code data.machine} marks a machine's open. */
    public static final String OPENED = "message.opened";
    /** A recipient of campaign mail followed a tracked link; {@code data.linkIndex} says which. */
    public static final String CLICKED = "message.clicked";
    /** A recipient of campaign mail unsubscribed through its link. */
    public static final String UNSUBSCRIBED = "message.unsubscribed";
    /** Campaign state changes, published by campaigns through {@link Webhooks#publish}. */
    public static final String CAMPAIGN_SCHEDULED = "campaign.scheduled";
    public static final String CAMPAIGN_SENDING = "campaign.sending";
    public static final String CAMPAIGN_PAUSED = "campaign.paused";
    public static final String CAMPAIGN_SENT = "campaign.sent";
    public static final String CAMPAIGN_CANCELLED = "campaign.cancelled";
    public static final String TEST = "test";

    /** What an endpoint may choose, in the order pages list them. */
    public static final List<String> SUBSCRIBABLE = List.of(DELIVERED, DEFERRED, BOUNCED, COMPLAINED, SUPPRESSED,
            OPENED, CLICKED, UNSUBSCRIBED, CAMPAIGN_SCHEDULED, CAMPAIGN_SENDING, CAMPAIGN_PAUSED, CAMPAIGN_SENT,
            CAMPAIGN_CANCELLED, KEY_WARNED, KEY_PAUSED, KEY_RESUMED);

    private static final Map<OutcomeType, String> BY_OUTCOME = Map.of(OutcomeType.DELIVERED, DELIVERED,
            OutcomeType.DEFERRED, DEFERRED, OutcomeType.BOUNCED, BOUNCED, OutcomeType.COMPLAINED, COMPLAINED,
            OutcomeType.SUPPRESSED, SUPPRESSED, OutcomeType.OPENED, OPENED, OutcomeType.CLICKED, CLICKED,
            OutcomeType.UNSUBSCRIBED, UNSUBSCRIBED);

    private WebhookEventTypes() {
    }

    /** The webhook type of an outcome stream event, or null for the types no endpoint receives (ACCEPTED, QUEUED …). */
    static String forOutcome(OutcomeType outcomeType) {
        return outcomeType == null ? null : BY_OUTCOME.get(outcomeType);
    }
}
