package io.mailtree.shared.outcomes;

import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs one consumer over the outcome stream, one batch at a time. Each batch is one transaction:
 * lock the consumer's row in {@code event_consumer} (on PostgreSQL with SKIP LOCKED, so a second
 * node that runs the same consumer passes instead of waiting), read the events after its position,
 * apply them, and write the new position. A crash or a failure anywhere rolls back both the effect
 * and the position; the next run starts where the last committed batch ended. Several runners (one
 * per node) may run the same consumer: the row lock lets one at a time through.
 */
public final class OutcomeConsumerRunner {

    private final OutcomeConsumer consumer;
    private final OutcomeSource source;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final TransactionTemplate bookkeeping;
    private final Clock clock;
    private final boolean postgres;
    private final int batch;
    private volatile boolean rowExists;
    private volatile OutcomeSource.Lag lag = OutcomeSource.Lag.NONE;

    public OutcomeConsumerRunner(OutcomeConsumer consumer, OutcomeSource source, JdbcClient jdbc,
            PlatformTransactionManager transactionManager, Clock clock, boolean postgres, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("the batch must be at least 1");
        }
        this.consumer = consumer;
        this.source = source;
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.bookkeeping = new TransactionTemplate(transactionManager);
        this.bookkeeping.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.clock = clock;
        this.postgres = postgres;
        this.batch = batch;
    }

    public String name() {
        return consumer.name();
    }

    int batch() {
        return batch;
    }

    /**
     * Applies the next batch, if any and if no other runner holds this consumer right now; answers
     * how many events it applied. Throws what the consumer threw, with nothing of the batch kept.
     */
    public int runOnce() {
        ensureRow();
        Integer applied = transactions.execute(status -> {
            Optional<StreamPosition> position = jdbc.sql("select position_tx, position_id from event_consumer"
                    + " where name = ? for update" + (postgres ? " skip locked" : ""))
                    .param(consumer.name())
                    .query((rs, n) -> new StreamPosition(rs.getLong(1), rs.getLong(2))).optional();
            if (position.isEmpty()) {
                return 0;
            }
            List<Outcome> outcomes = source.after(position.get(), batch);
            if (outcomes.isEmpty()) {
                return 0;
            }
            consumer.apply(outcomes);
            StreamPosition last = outcomes.get(outcomes.size() - 1).position();
            jdbc.sql("""
                    update event_consumer set position_tx = ?, position_id = ?, updated_at = ?, applied = applied + ?,
                        failures = 0, last_error = null, retry_at = null
                    where name = ?""")
                    .params(last.tx(), last.id(), Times.sql(clock.instant()), outcomes.size(), consumer.name()).update();
            return outcomes.size();
        });
        return applied == null ? 0 : applied;
    }

    /** Notes a failed run on the consumer's row (for the console and the next node), in its own transaction. */
    void recordFailure(Throwable failure, Duration retryIn) {
        String text = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        bookkeeping.executeWithoutResult(status -> jdbc.sql("""
                update event_consumer set failures = failures + 1, last_error = ?, retry_at = ? where name = ?""")
                .params(text.length() > 1000 ? text.substring(0, 1000) : text,
                        Times.sql(clock.instant().plus(retryIn)), consumer.name())
                .update());
    }

    /** Measures how far behind the stream this consumer is (from its committed position) and keeps it. */
    OutcomeSource.Lag refreshLag() {
        ensureRow();
        StreamPosition position = jdbc.sql("select position_tx, position_id from event_consumer where name = ?")
                .param(consumer.name()).query((rs, n) -> new StreamPosition(rs.getLong(1), rs.getLong(2))).single();
        lag = source.lag(position);
        return lag;
    }

    /** The last measured lag. */
    OutcomeSource.Lag lag() {
        return lag;
    }

    /** Seconds between the oldest event not yet applied and now; 0 when none is waiting. */
    double secondsBehind() {
        Instant oldest = lag.oldest();
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
    }

    /** A new consumer starts at the beginning of the retained stream. */
    private void ensureRow() {
        if (rowExists) {
            return;
        }
        try {
            bookkeeping.executeWithoutResult(status -> jdbc.sql("""
                    insert into event_consumer (name, position_tx, position_id, updated_at)
                    select ?, 0, 0, ? where not exists (select 1 from event_consumer where name = ?)""")
                    .params(consumer.name(), Times.sql(clock.instant()), consumer.name()).update());
        } catch (DuplicateKeyException anotherNodeFirst) {
            // the row is there, which is all this wanted
        }
        rowExists = true;
    }
}
