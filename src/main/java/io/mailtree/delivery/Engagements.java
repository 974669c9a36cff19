package io.mailtree.delivery;

import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.Times;
import io.mailtree.shared.outcomes.OutcomeType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes what a recipient did with a message (opened, clicked, unsubscribed: ADR 0027) into the one
 * event store, so every consumer of the outcome stream (webhooks, campaign reports, key reputation)
 * sees it as it sees a delivery. The tracking endpoints call this on every pixel load and click, so a
 * write is one statement: the event is inserted from the message's own row (account, key, recipient),
 * found by its public id, with no transaction of its own on PostgreSQL (autocommit; the event's
 * transaction id is its own, below any later horizon) and no read before it. On H2 the append lock of
 * {@link MessageEvents#recordAll} is taken around it, as for every other event.
 *
 * <p>An open within {@code mailtree.tracking.machine-open-window} of the message's delivery is
 * marked a machine's: no person opens mail that fast, a privacy proxy that fetches every image on
 * arrival does. Engagement events move no hourly statistics row (the dashboard counts delivery only).
 */
@Component
public class Engagements {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final boolean postgres;
    private final Duration machineWindow;

    Engagements(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, Clock clock, DatabaseKind database,
            @Value("${mailtree.tracking.machine-open-window:3s}") Duration machineWindow) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.clock = clock;
        this.postgres = database.isPostgres();
        this.machineWindow = machineWindow;
    }

    /**
     * Records one engagement with the message {@code publicId}: {@code OPENED} (with {@code machine}
     * when the request itself looks like a machine's), {@code CLICKED} (with the link's index) or
     * {@code UNSUBSCRIBED}. Answers false, writing nothing, when no such message exists (purged).
     */
    public boolean record(UUID publicId, OutcomeType type, Integer linkIndex, boolean machine, String detail) {
        if (type != OutcomeType.OPENED && type != OutcomeType.CLICKED && type != OutcomeType.UNSUBSCRIBED) {
            throw new IllegalArgumentException("not an engagement: " + type);
        }
        Instant now = clock.instant();
        String text = detail == null ? null : detail.length() > 1000 ? detail.substring(0, 1000) : detail;
        Object[] params = {type.name(), linkIndex, type == OutcomeType.OPENED ? machine : null,
                type == OutcomeType.OPENED, Times.sql(now.minus(machineWindow)), text, Times.sql(now), publicId};
        // Campaign mail has one recipient, so the message's recipient list is the recipient.
        String insert = """
                insert into message_event (account_id, message_id, api_key_id, event_type, link_index, machine, recipient,
                    detail, occurred_at)
                select m.account_id, m.id, m.api_key_id, ?, ?,
                    case when ? then true when ? and m.delivered_at is not null and m.delivered_at > ? then true
                        else null end,
                    m.recipients, ?, ? from message m where m.public_id = ?""";
        if (postgres) {
            // machine: null stays null for clicks and unsubscribes; false is written as null (a person's).
            return jdbc.update(insert, params) == 1;
        }
        Integer written = transactions.execute(status -> {
            jdbc.queryForObject("select id from event_append_lock where id = 1 for update", Integer.class);
            return jdbc.update(insert, params);
        });
        return written != null && written == 1;
    }
}
