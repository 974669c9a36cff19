package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.Times;
import io.mailtree.shared.outcomes.OutcomeType;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The one event store of sending: accepted, queued, delivered, deferred, bounced (hard or soft),
 * complained, suppressed, failed, held and released ({@link OutcomeType}) — each with account, key,
 * message, recipient, time and detail.
 * It is the single source of what happened: the modules that react to it (suppressions and contact
 * status in contacts, last-send time in accounts, and later reputation, webhooks and billing) read
 * it as a stream through {@link MessageEventStream}, each at its own pace (ADR 0010). Events are
 * written in batches (one round trip for a claimed batch or a send call) in the caller's transaction,
 * the one that writes the message's status, and the hourly counts of {@link MessageStatistics} move
 * with them.
 */
@Component
public class MessageEvents {

    private final JdbcTemplate jdbc;
    private final MessageStatistics statistics;
    private final Clock clock;
    private final boolean postgres;

    MessageEvents(JdbcTemplate jdbc, MessageStatistics statistics, Clock clock, DatabaseKind database) {
        this.jdbc = jdbc;
        this.statistics = statistics;
        this.clock = clock;
        this.postgres = database.isPostgres();
    }

    /**
     * One event of one message (and one recipient, for the recipient-level ones); {@code bounceClass}
     * is {@code HARD} or {@code SOFT} for a bounce; {@code recipientCount} is how many recipients an
     * ACCEPTED event covers, a number pages translate rather than read out of the English detail.
     */
    record Event(AccountId account, long messageId, UUID apiKeyId, OutcomeType type, String recipient,
            String bounceClass, String detail, Integer recipientCount) {

        Event(AccountId account, long messageId, UUID apiKeyId, OutcomeType type, String recipient, String bounceClass,
                String detail) {
            this(account, messageId, apiKeyId, type, recipient, bounceClass, detail, null);
        }

        Event(AccountId account, long messageId, UUID apiKeyId, OutcomeType type, String recipient, String detail) {
            this(account, messageId, apiKeyId, type, recipient, null, detail, null);
        }

        /** A message accepted for {@code recipients} recipients. */
        static Event accepted(AccountId account, long messageId, UUID apiKeyId, int recipients) {
            return new Event(account, messageId, apiKeyId, OutcomeType.ACCEPTED, null, null, recipients + " recipients",
                    recipients);
        }
    }

    void record(Event event) {
        recordAll(List.of(event));
    }

    /**
     * Writes the events and their hourly counts in the caller's transaction. Callers write the
     * message's own rows first: on H2 the events are appended under a lock held until commit.
     */
    void recordAll(List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        if (!postgres) {
            // H2: appenders take turns until commit, so ids become visible in id order and a consumer
            // reading "after the last id" never passes one that commits later (ADR 0010).
            jdbc.queryForObject("select id from event_append_lock where id = 1 for update", Integer.class);
        }
        Instant now = clock.instant();
        jdbc.batchUpdate("""
                insert into message_event (account_id, message_id, api_key_id, event_type, recipient, bounce_class,
                    detail, occurred_at, recipient_count)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?)""", events, 1000, (ps, event) -> {
            ps.setObject(1, event.account().value());
            ps.setLong(2, event.messageId());
            ps.setObject(3, event.apiKeyId());
            ps.setString(4, event.type().name());
            ps.setString(5, event.recipient());
            ps.setString(6, event.bounceClass());
            ps.setString(7, event.detail() == null ? null
                    : event.detail().length() > 1000 ? event.detail().substring(0, 1000) : event.detail());
            ps.setObject(8, Times.sql(now));
            ps.setObject(9, event.recipientCount(), java.sql.Types.INTEGER);
        });
        statistics.count(events, now);
    }
}
