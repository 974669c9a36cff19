package io.mailtree.delivery;

import io.mailtree.accounts.SubaccountDeactivated;
import io.mailtree.accounts.SubaccountReactivated;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.ApiKeyId;
import io.mailtree.shared.Times;
import io.mailtree.shared.outcomes.OutcomeType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Holds queued mail and releases it: a held message is {@link MessageStatus#HELD}, so no claim takes
 * it, and nothing of it is lost; its release puts it back to {@link MessageStatus#QUEUED}, due at
 * once. Each message held or released writes a {@code HELD} or {@code RELEASED} event to the outcome
 * stream, in the same transaction, so consumers and the message's timeline see it (D-12, ADR 0012).
 *
 * <p>A hold names what it is for ({@link Scope}): an account (a deactivated sub-account, on
 * {@link SubaccountDeactivated}) or an API key; a release releases only what was held for the same
 * thing, so mail held for one reason does not leave with the release of another. A message claimed
 * by a worker when it is held is not handed to the relay any more: the worker re-checks its batch
 * ({@link HoldGeneration}, {@link DeliveryAttempts}) and gives the held ones back. One the relay had
 * already taken keeps its lease and its outcome is written as usual (it did go out); if it is
 * deferred it stays held.
 */
@Component
public class MessageHolds {

    /** What a message is held for, kept in {@code message.held_by}. */
    enum Scope {
        /** Its account is inactive. */
        ACCOUNT,
        /** Its API key is paused. */
        API_KEY,
        /** The bulk send (campaign) it belongs to is paused or cancelled (ADR 0024). */
        BULK
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final MessageEvents events;
    private final DeliveryWorkers workers;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final HoldGeneration generation;

    MessageHolds(JdbcClient jdbc, JdbcTemplate jdbcTemplate, MessageEvents events, DeliveryWorkers workers, Clock clock,
            PlatformTransactionManager transactionManager, HoldGeneration generation) {
        this.generation = generation;
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.events = events;
        this.workers = workers;
        this.clock = clock;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /** Holds the account's queued mail, {@code reason} in each HELD event; answers how many messages. */
    public int holdAccount(AccountId account, String reason) {
        return hold("account_id", account.value(), Scope.ACCOUNT, reason);
    }

    /** Releases the mail held for the account; answers how many messages. */
    public int releaseAccount(AccountId account, String reason) {
        return release("account_id", account.value(), Scope.ACCOUNT, reason);
    }

    /** Holds the queued mail sent with the key, {@code reason} in each HELD event; answers how many messages. */
    public int holdKey(ApiKeyId key, String reason) {
        return hold("api_key_id", key.value(), Scope.API_KEY, reason);
    }

    /** Releases the mail held for the key; answers how many messages. */
    public int releaseKey(ApiKeyId key, String reason) {
        return release("api_key_id", key.value(), Scope.API_KEY, reason);
    }

    /**
     * Holds the queued mail of a bulk send (a campaign's messages, tagged with its bulk id when
     * queued); joins the caller's transaction, so a campaign's cancel and its hold commit together.
     * Answers how many messages.
     */
    public int holdBulk(UUID bulkId, String reason) {
        return hold("bulk_id", bulkId, Scope.BULK, reason);
    }

    /** Releases the mail held for a bulk send (a paused campaign resumed); answers how many messages. */
    public int releaseBulk(UUID bulkId, String reason) {
        return release("bulk_id", bulkId, Scope.BULK, reason);
    }

    /** D-12: a deactivated sub-account's queued mail is held, in the deactivation's transaction. */
    @EventListener
    void on(SubaccountDeactivated deactivated) {
        holdAccount(deactivated.subaccount(), "the sub-account was deactivated");
    }

    /** D-12: a reactivated sub-account's held mail goes back to the queue, in the activation's transaction. */
    @EventListener
    void on(SubaccountReactivated reactivated) {
        releaseAccount(reactivated.subaccount(), "the sub-account is active again");
    }

    private record Held(long id, AccountId account, UUID apiKeyId) {
    }

    private int hold(String column, UUID value, Scope scope, String reason) {
        Integer held = transactions.execute(status -> {
            List<Held> messages = lock(column, value, MessageStatus.QUEUED, null);
            Instant now = clock.instant();
            List<Object[]> rows = new ArrayList<>(messages.size());
            for (Held message : messages) {
                rows.add(new Object[] {MessageStatus.HELD.name(), scope.name(), Times.sql(now), message.id(),
                    MessageStatus.QUEUED.name()});
            }
            // The rows before the events: on H2 the event append holds a lock until commit.
            SqlBatches.run(jdbcTemplate, "update message set status = ?, held_by = ?, updated_at = ? where id = ? and status = ?",
                    rows);
            events.recordAll(messages.stream().map(m -> new MessageEvents.Event(m.account(), m.id(), m.apiKeyId(),
                    OutcomeType.HELD, null, reason)).toList());
            if (!messages.isEmpty()) {
                // After the commit, not before: a worker that re-checked before it would see QUEUED and
                // then find no change to look again for.
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        generation.advance();
                    }
                });
            }
            return messages.size();
        });
        return held == null ? 0 : held;
    }

    private int release(String column, UUID value, Scope scope, String reason) {
        Integer released = transactions.execute(status -> {
            List<Held> messages = lock(column, value, MessageStatus.HELD, scope);
            Instant now = clock.instant();
            List<Object[]> rows = new ArrayList<>(messages.size());
            for (Held message : messages) {
                rows.add(new Object[] {MessageStatus.QUEUED.name(), Times.sql(now), Times.sql(now), message.id(),
                    MessageStatus.HELD.name()});
            }
            SqlBatches.run(jdbcTemplate, """
                    update message set status = ?, held_by = null, next_attempt_at = ?, updated_at = ?
                    where id = ? and status = ?""", rows);
            events.recordAll(messages.stream().map(m -> new MessageEvents.Event(m.account(), m.id(), m.apiKeyId(),
                    OutcomeType.RELEASED, null, reason)).toList());
            if (!messages.isEmpty()) {
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        workers.nudge();
                    }
                });
            }
            return messages.size();
        });
        return released == null ? 0 : released;
    }

    /** The messages of that account or key in that status (and held for that scope), row-locked, oldest first. */
    private List<Held> lock(String column, UUID value, MessageStatus status, Scope scope) {
        List<Object> params = new ArrayList<>(List.of(value, status.name()));
        if (scope != null) {
            params.add(scope.name());
        }
        return jdbc.sql("select id, account_id, api_key_id from message where " + column + " = ? and status = ?"
                + (scope == null ? "" : " and held_by = ?") + " order by id for update")
                .params(params)
                .query((rs, n) -> new Held(rs.getLong(1), new AccountId(rs.getObject(2, UUID.class)),
                        rs.getObject(3, UUID.class)))
                .list();
    }
}
