package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The one event store of sending: accepted, queued, delivered, deferred, bounced, complained,
 * suppressed — each with account, key, message, recipient, time and detail. Reputation, tracking
 * and billing read from it and listen to the application events published alongside. Events are
 * written in batches (one round trip for a claimed batch or a send call), and the hourly counts of
 * {@link MessageStatistics} move with them.
 */
@Component
public class MessageEvents {

    private final JdbcTemplate jdbc;
    private final MessageStatistics statistics;
    private final Clock clock;
    private final ApplicationEventPublisher publisher;

    MessageEvents(JdbcTemplate jdbc, MessageStatistics statistics, Clock clock, ApplicationEventPublisher publisher) {
        this.jdbc = jdbc;
        this.statistics = statistics;
        this.clock = clock;
        this.publisher = publisher;
    }

    /** One event of one message (and one recipient, for the recipient-level ones). */
    record Event(AccountId account, long messageId, UUID apiKeyId, String type, String recipient, String detail) {
    }

    void record(AccountId account, long messageId, UUID apiKeyId, String type, String recipient, String detail) {
        recordAll(List.of(new Event(account, messageId, apiKeyId, type, recipient, detail)));
    }

    /** Writes the events and their hourly counts in the caller's transaction, then publishes them. */
    void recordAll(List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        jdbc.batchUpdate("""
                insert into message_event (account_id, message_id, api_key_id, event_type, recipient, detail, occurred_at)
                values (?, ?, ?, ?, ?, ?, ?)""", events, 1000, (ps, event) -> {
            ps.setObject(1, event.account().value());
            ps.setLong(2, event.messageId());
            ps.setObject(3, event.apiKeyId());
            ps.setString(4, event.type());
            ps.setString(5, event.recipient());
            ps.setString(6, event.detail() == null ? null
                    : event.detail().length() > 1000 ? event.detail().substring(0, 1000) : event.detail());
            ps.setObject(7, Times.sql(now));
        });
        statistics.count(events, now);
        for (Event event : events) {
            publish(event, now);
        }
    }

    /** Delivered, bounced and complained are also published as application events for listeners. */
    private void publish(Event event, Instant now) {
        String id = String.valueOf(event.messageId());
        switch (event.type()) {
            case "DELIVERED" -> publisher.publishEvent(
                    new DeliveryEvents.MessageDelivered(event.account(), event.apiKeyId(), id, event.recipient(), now));
            case "BOUNCED" -> publisher.publishEvent(new DeliveryEvents.MessageBounced(event.account(), event.apiKeyId(),
                    id, event.recipient(), event.detail() != null && event.detail().startsWith("hard"), event.detail(),
                    now));
            case "COMPLAINED" -> publisher.publishEvent(new DeliveryEvents.ComplaintReceived(event.account(),
                    event.apiKeyId(), id, event.recipient(), event.detail(), now));
            default -> { }
        }
    }
}
