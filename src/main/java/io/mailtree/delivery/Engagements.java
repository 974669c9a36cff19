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
 * sees it as it sees a delivery. Each event is inserted from the message's own row (account, key,
 * recipient), found by its public id, with no read before it: {@link #record} for one event in the
 * caller's transaction (an unsubscribe, with the contact's change), {@link #recordAll} for the batches
 * the tracking endpoints' buffer writes (one batched statement and one commit for hundreds of opens).
 * On H2 the append lock of {@link MessageEvents#recordAll} is taken around the insert, as for every
 * other event.
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

    /** One engagement to record: see {@link #record}. */
    public record Engagement(UUID publicId, OutcomeType type, Integer linkIndex, boolean machine, String detail) {
    }

    /** Records a batch of engagements in one transaction and one batched statement; answers how many were written. */
    public int recordAll(java.util.List<Engagement> engagements) {
        if (engagements.isEmpty()) {
            return 0;
        }
        Instant now = clock.instant();
        java.util.List<Object[]> rows = new java.util.ArrayList<>(engagements.size());
        for (Engagement e : engagements) {
            rows.add(params(e.publicId(), e.type(), e.linkIndex(), e.machine(), e.detail(), now));
        }
        Integer written = transactions.execute(status -> {
            if (!postgres) {
                jdbc.queryForObject("select id from event_append_lock where id = 1 for update", Integer.class);
            }
            int sum = 0;
            for (int count : jdbc.batchUpdate(INSERT, rows)) {
                sum += Math.max(count, 0);
            }
            return sum;
        });
        return written == null ? 0 : written;
    }

    /**
     * Records one engagement with the message {@code publicId}: {@code OPENED} (with {@code machine}
     * when the request itself looks like a machine's), {@code CLICKED} (with the link's index) or
     * {@code UNSUBSCRIBED}. Answers false, writing nothing, when no such message exists (purged).
     */
    public boolean record(UUID publicId, OutcomeType type, Integer linkIndex, boolean machine, String detail) {
        Object[] params = params(publicId, type, linkIndex, machine, detail, clock.instant());
        if (postgres) {
            return jdbc.update(INSERT, params) == 1;
        }
        Integer written = transactions.execute(status -> {
            jdbc.queryForObject("select id from event_append_lock where id = 1 for update", Integer.class);
            return jdbc.update(INSERT, params);
        });
        return written != null && written == 1;
    }

    /** Campaign mail has one recipient, so the message's recipient list is the recipient. */
    private static final String INSERT = """
            insert into message_event (account_id, message_id, api_key_id, event_type, link_index, machine, recipient,
                detail, occurred_at)
            select m.account_id, m.id, m.api_key_id, ?, ?,
                case when ? then true when ? and m.delivered_at is not null and m.delivered_at > ? then true
                    else null end,
                m.recipients, ?, ? from message m where m.public_id = ?""";

    private Object[] params(UUID publicId, OutcomeType type, Integer linkIndex, boolean machine, String detail,
            Instant now) {
        if (type != OutcomeType.OPENED && type != OutcomeType.CLICKED && type != OutcomeType.UNSUBSCRIBED) {
            throw new IllegalArgumentException("not an engagement: " + type);
        }
        String text = detail == null ? null : detail.length() > 1000 ? detail.substring(0, 1000) : detail;
        // machine: true, or null for a person's open (and for clicks and unsubscribes, which it does not apply to).
        return new Object[] {type.name(), linkIndex, type == OutcomeType.OPENED && machine, type == OutcomeType.OPENED,
                Times.sql(now.minus(machineWindow)), text, Times.sql(now), publicId};
    }
}
