package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The one event store of sending: accepted, queued, delivered, deferred, bounced, complained,
 * suppressed — each with account, key, message, recipient, time and detail. Reputation, tracking
 * and billing read from it (and later listen to the application events published alongside).
 */
@Component
public class MessageEvents {

    private final JdbcClient jdbc;
    private final Clock clock;
    private final ApplicationEventPublisher publisher;

    MessageEvents(JdbcClient jdbc, Clock clock, ApplicationEventPublisher publisher) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.publisher = publisher;
    }

    void record(AccountId account, long messageId, UUID apiKeyId, String type, String recipient, String detail) {
        jdbc.sql("""
                insert into message_event (account_id, message_id, api_key_id, event_type, recipient, detail, occurred_at)
                values (?, ?, ?, ?, ?, ?, ?)""")
                .params(account.value(), messageId, apiKeyId, type, recipient,
                        detail == null ? null : detail.length() > 1000 ? detail.substring(0, 1000) : detail,
                        Times.sql(clock.instant()))
                .update();
        publish(account, messageId, apiKeyId, type, recipient, detail);
    }

    /** Delivered, bounced and complained are also published as application events for listeners. */
    private void publish(AccountId account, long messageId, UUID apiKeyId, String type, String recipient, String detail) {
        String id = String.valueOf(messageId);
        switch (type) {
            case "DELIVERED" -> publisher.publishEvent(
                    new DeliveryEvents.MessageDelivered(account, apiKeyId, id, recipient, clock.instant()));
            case "BOUNCED" -> publisher.publishEvent(new DeliveryEvents.MessageBounced(account, apiKeyId, id, recipient,
                    detail != null && detail.startsWith("hard"), detail, clock.instant()));
            case "COMPLAINED" -> publisher.publishEvent(
                    new DeliveryEvents.ComplaintReceived(account, apiKeyId, id, recipient, detail, clock.instant()));
            default -> { }
        }
    }
}
