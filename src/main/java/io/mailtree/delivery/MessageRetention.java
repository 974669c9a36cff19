package io.mailtree.delivery;

import io.mailtree.shared.PeriodicTask;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps the message store from growing without end: at a thousand messages a second, the MIME alone
 * is a gigabyte a day. A finished message's content is cleared after {@code mailtree.retention.content}
 * (default 7 days; its status, recipients and events stay, so the Messages page and bounce matching
 * keep working), and the message with its events is deleted after {@code mailtree.retention.history}
 * (default 90 days). The hourly statistics are not touched. Queued messages, including those held
 * for an inactive account, are never cleared. The send API's idempotency records are deleted after
 * {@code mailtree.retention.idempotency} (default 24 hours): a client retries within minutes, and
 * kept for ever the records (each holds a whole answer) would grow by every keyed call.
 * Several nodes may run passes at once: each step is
 * idempotent. Work goes in batches of 1,000 rows, each its own
 * transaction, so the queue is never blocked behind a long purge.
 */
@Component
class MessageRetention implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MessageRetention.class);
    private static final int BATCH = 1_000;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final Duration content;
    private final Duration history;
    private final Duration every;
    private final Duration idempotency;
    private final PeriodicTask task = new PeriodicTask("message-retention", log);
    /**
     * Content of messages created before this instant is already cleared (this node's pass got that
     * far). A message still queued then and finished later keeps its content until it is deleted.
     */
    private volatile Instant clearedUpTo;

    MessageRetention(JdbcClient jdbc, Clock clock, PlatformTransactionManager transactionManager,
            @Value("${mailtree.retention.content:7d}") Duration content,
            @Value("${mailtree.retention.history:90d}") Duration history,
            @Value("${mailtree.retention.every:10m}") Duration every,
            @Value("${mailtree.retention.idempotency:24h}") Duration idempotency) {
        if (content.isNegative() || history.compareTo(content) < 0) {
            throw new IllegalArgumentException("mailtree.retention.history must be at least mailtree.retention.content");
        }
        if (idempotency.isNegative()) {
            throw new IllegalArgumentException("mailtree.retention.idempotency cannot be negative");
        }
        this.idempotency = idempotency;
        this.jdbc = jdbc;
        this.clock = clock;
        this.transactions = new TransactionTemplate(transactionManager);
        this.content = content;
        this.history = history;
        this.every = every;
    }

    /** What one pass did. */
    record Purged(int contentCleared, int messagesDeleted, int idempotencyRecordsDeleted) {
    }

    /** One pass: clears old content, then deletes old messages with their events. */
    synchronized Purged runOnce() {
        Instant now = clock.instant();
        int deleted = 0;
        for (List<Long> ids = old(now.minus(history)); !ids.isEmpty(); ids = old(now.minus(history))) {
            List<Long> batch = ids;
            transactions.executeWithoutResult(status -> {
                String in = SqlLists.placeholders(batch.size());
                jdbc.sql("delete from message_event where message_id in (" + in + ")").params(new ArrayList<>(batch))
                        .update();
                jdbc.sql("delete from message where id in (" + in + ")").params(new ArrayList<>(batch)).update();
            });
            deleted += batch.size();
        }
        int cleared = 0;
        Instant cutoff = now.minus(content);
        while (true) {
            // From where the last pass stopped: rows already cleared are not walked again.
            Instant from = clearedUpTo == null ? Instant.EPOCH : clearedUpTo;
            record Row(long id, Instant createdAt) {
            }
            List<Row> rows = jdbc.sql("""
                    select id, created_at from message
                    where created_at >= ? and created_at < ? and status not in (?, ?) and mime is not null
                    order by created_at""" + " limit " + BATCH)
                    .params(Times.sql(from), Times.sql(cutoff), MessageStatus.QUEUED.name(), MessageStatus.HELD.name())
                    .query((rs, n) -> new Row(rs.getLong(1), Times.instant(rs, "created_at"))).list();
            if (rows.isEmpty()) {
                break;
            }
            List<Object> ids = new ArrayList<>(rows.stream().map(Row::id).toList());
            transactions.executeWithoutResult(status -> jdbc.sql("update message set mime = null where id in ("
                    + SqlLists.placeholders(ids.size()) + ")").params(ids).update());
            cleared += rows.size();
            clearedUpTo = rows.get(rows.size() - 1).createdAt();
        }
        return new Purged(cleared, deleted, purgeIdempotencyRecords(now.minus(idempotency)));
    }

    /** Deletes idempotency records older than the cutoff, a batch a transaction. */
    private int purgeIdempotencyRecords(Instant cutoff) {
        int deleted = 0;
        while (true) {
            Integer batch = transactions.execute(status -> jdbc.sql("""
                    delete from idempotency_record where (account_id, idem_key) in (
                        select account_id, idem_key from idempotency_record where created_at < ? limit""" + " " + BATCH
                    + ")").param(Times.sql(cutoff)).update());
            deleted += batch == null ? 0 : batch;
            if (batch == null || batch < BATCH) {
                return deleted;
            }
        }
    }

    /** Up to a batch of finished messages created before the cutoff. */
    private List<Long> old(Instant cutoff) {
        return jdbc.sql("select id from message where created_at < ? and status not in (?, ?) order by created_at limit "
                + BATCH).params(Times.sql(cutoff), MessageStatus.QUEUED.name(), MessageStatus.HELD.name())
                .query(Long.class).list();
    }

    @Override
    public void start() {
        task.start(every, () -> {
            Purged purged = runOnce();
            if (purged.contentCleared() + purged.messagesDeleted() + purged.idempotencyRecordsDeleted() > 0) {
                log.info("retention: content of {} messages cleared, {} messages deleted, {} idempotency records "
                        + "deleted", purged.contentCleared(), purged.messagesDeleted(),
                        purged.idempotencyRecordsDeleted());
            }
        });
    }

    @Override
    public void stop() {
        task.stop();
    }

    @Override
    public boolean isRunning() {
        return task.isRunning();
    }
}
