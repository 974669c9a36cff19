package io.mailtree.delivery;

import io.mailtree.accounts.AccountStatus;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.NodeIdentity;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Who delivers which queued message: a claim leases a batch of due messages to this node (FOR UPDATE
 * SKIP LOCKED on PostgreSQL, so several nodes share one queue without taking the same row), a worker
 * gives back what it did not try, and a node that starts releases the leases it held before it
 * stopped. Only {@link MessageStatus#QUEUED} messages of active accounts are claimed: a
 * {@link MessageStatus#HELD} message waits for its release ({@link MessageHolds}), and the account's
 * status, read in the claim itself (the one exception of ADR 0011), keeps back a message accepted
 * while its account was being deactivated. Every outcome is then written under the lease the claim
 * took ({@link OutcomeWriter}).
 */
@Component
class MessageClaims {

    private static final Logger log = LoggerFactory.getLogger(MessageClaims.class);

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final boolean postgres;
    private final String node;
    private final DeliverySettings settings;

    MessageClaims(JdbcClient jdbc, JdbcTemplate jdbcTemplate, Clock clock, PlatformTransactionManager transactionManager,
            DatabaseKind database, NodeIdentity node, DeliverySettings settings) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.clock = clock;
        this.transactions = new TransactionTemplate(transactionManager);
        this.postgres = database.isPostgres();
        this.node = node.id();
        this.settings = settings;
    }

    /**
     * A claimed message, leased to this node until {@code leaseUntil}.
     *
     * @param attempts this attempt's number, counted by the claim (1 for the first)
     * @param viaSmtp  submitted over SMTP as it came (signed as it is), rather than composed from the API
     * @param priority the claim priority of its key's label (D-20); every message of one claim has the same
     */
    record Claimed(long id, AccountId account, UUID apiKeyId, String from, List<String> recipients, int attempts,
            Instant createdAt, Instant leaseUntil, boolean viaSmtp, byte[] mime, int priority) {
    }

    /**
     * Where the last claim of a priority stopped in the walk over keys: after {@code key}, or after the
     * mail sent with no key when {@code key} is null. Kept per node in memory: a restart begins the walk
     * again at the first key, which costs fairness nothing.
     */
    private record KeyCursor(UUID key) {
    }

    /** One due message found by the walk, with the key it was sent with. */
    private record Due(long id, UUID key) {
    }

    private final Map<Integer, KeyCursor> cursors = new ConcurrentHashMap<>();

    /** Claims up to {@code limit} due messages of active accounts, leasing them to this node, in their own transaction. */
    List<Claimed> claim(int limit) {
        return claim(limit, Integer.MAX_VALUE);
    }

    /**
     * Claims as {@link #claim(int)} does, only messages whose priority is at most {@code maxPriority}
     * (D-20, ADR 0017, ADR 0029):
     * <ul>
     * <li>one priority a claim, the lowest that has claimable mail (TRANSACTIONAL first): a batch is
     * never part receipts and part newsletter, so a receipt's outcome is never written after a run of
     * marketing mail, and a worker holding a batch knows which kind it holds;</li>
     * <li>within that priority, keys in turn: the walk starts at the key after the one the previous
     * claim of this priority ended on and takes each key's due mail oldest first, so one key's backlog
     * fills at most the batches it is the turn of, and a key with ten due messages waits at most one
     * batch behind a key with ten thousand.</li>
     * </ul>
     * The priority lane's workers pass 1: they take only TRANSACTIONAL and unlabelled mail.
     */
    List<Claimed> claim(int limit, int maxPriority) {
        return transactions.execute(status -> {
            Instant now = clock.instant();
            if (postgres) {
                // Walk the due index in order and stop after the batch. Without fresh statistics (a backlog
                // that grew in minutes) PostgreSQL would rather bitmap-scan and sort the whole backlog:
                // 300 ms a claim at 60,000 queued instead of 0.3 ms.
                jdbcTemplate.execute("set local enable_bitmapscan = off; set local enable_sort = off");
            }
            int below = -1;
            while (true) {
                Integer priority = lowestClaimablePriority(below, maxPriority, now);
                if (priority == null) {
                    return List.<Claimed>of();
                }
                List<Due> due = walkKeys(priority, limit, now);
                if (!due.isEmpty()) {
                    return lease(due, now);
                }
                // What the probe saw was locked by another node's or worker's claim: try the next priority.
                below = priority;
            }
        });
    }

    /** The lowest priority above {@code below} and at most {@code maxPriority} with a message this node may claim now. */
    private Integer lowestClaimablePriority(int below, int maxPriority, Instant now) {
        return jdbc.sql("""
                select m.priority from message m
                where m.status = ? and m.priority > ? and m.priority <= ? and m.next_attempt_at <= ?
                  and (m.lease_until is null or m.lease_until < ?)
                  and exists (select 1 from account a where a.id = m.account_id and a.status = ?)
                order by m.priority limit 1""")
                .params(MessageStatus.QUEUED.name(), below, maxPriority, Times.sql(now), Times.sql(now),
                        AccountStatus.ACTIVE.name())
                .query(Integer.class).optional().orElse(null);
    }

    /**
     * Up to {@code limit} claimable messages of one priority, locked, walking the keys in their order from
     * the one after this priority's cursor and round to it again, the mail sent without a key counted as
     * one more key after the last. Each segment of the walk is one range of the due index
     * {@code (status, priority, api_key_id, next_attempt_at, id)} read in order, so the walk reads the
     * rows it takes and the leased or not yet due ones it passes, never the whole backlog.
     */
    private List<Due> walkKeys(int priority, int limit, Instant now) {
        KeyCursor cursor = cursors.get(priority);
        List<String> segments = new ArrayList<>();
        List<List<Object>> segmentParams = new ArrayList<>();
        if (cursor != null && cursor.key() != null) {
            segments.addAll(List.of("m.api_key_id > ?", "m.api_key_id is null", "m.api_key_id <= ?"));
            segmentParams.addAll(List.of(List.of(cursor.key()), List.of(), List.of(cursor.key())));
        } else {
            segments.addAll(List.of("m.api_key_id is not null", "m.api_key_id is null"));
            segmentParams.addAll(List.of(List.of(), List.of()));
        }
        List<Due> due = new ArrayList<>();
        for (int s = 0; s < segments.size() && due.size() < limit; s++) {
            List<Object> params = new ArrayList<>(List.of(MessageStatus.QUEUED.name(), priority));
            params.addAll(segmentParams.get(s));
            params.addAll(List.of(Times.sql(now), Times.sql(now), AccountStatus.ACTIVE.name(), limit - due.size()));
            due.addAll(jdbc.sql("select m.id, m.api_key_id from message m"
                    + " where m.status = ? and m.priority = ? and " + segments.get(s) + " and m.next_attempt_at <= ?"
                    + " and (m.lease_until is null or m.lease_until < ?)"
                    + " and exists (select 1 from account a where a.id = m.account_id and a.status = ?)"
                    + " order by m.api_key_id, m.next_attempt_at, m.id limit ? for update" + (postgres ? " skip locked" : ""))
                    .params(params)
                    .query((rs, n) -> new Due(rs.getLong(1), rs.getObject(2, UUID.class)))
                    .list());
        }
        if (!due.isEmpty()) {
            cursors.put(priority, new KeyCursor(due.get(due.size() - 1).key()));
        }
        return due;
    }

    /** Leases the walked messages to this node and reads them, in the walk's order. */
    private List<Claimed> lease(List<Due> due, Instant now) {
        List<Long> ids = due.stream().map(Due::id).toList();
        // One update and one read for the whole batch: this is the hot path of delivery.
        String in = SqlLists.placeholders(ids.size());
        // Every write of an outcome names this lease: a worker that held a batch too long cannot overwrite
        // what the worker that took it over recorded.
        Instant leaseUntil = now.plus(settings.lease()).truncatedTo(ChronoUnit.MILLIS);
        List<Object> params = new ArrayList<>(List.of(Times.sql(leaseUntil), node, Times.sql(now)));
        params.addAll(ids);
        jdbc.sql("update message set lease_until = ?, claimed_by = ?, attempts = attempts + 1, updated_at = ? where id in ("
                + in + ")")
                .params(params).update();
        Map<Long, Claimed> read = new HashMap<>();
        jdbc.sql("""
                select id, account_id, api_key_id, from_email, recipients, attempts, created_at, via_smtp, mime, priority
                from message where id in (""" + in + ")")
                .params(new ArrayList<Object>(ids))
                .query((rs, n) -> new Claimed(rs.getLong("id"), new AccountId(rs.getObject("account_id", UUID.class)),
                        rs.getObject("api_key_id", UUID.class), rs.getString("from_email"),
                        Arrays.asList(rs.getString("recipients").split("\n")), rs.getInt("attempts"),
                        Times.instant(rs, "created_at"), leaseUntil, rs.getBoolean("via_smtp"), rs.getBytes("mime"),
                        rs.getInt("priority")))
                .list().forEach(claimed -> read.put(claimed.id(), claimed));
        return ids.stream().map(read::get).toList();
    }

    /**
     * Which of these claimed messages were held since they were claimed (one query by primary key, no
     * lock: a hold that commits just after it is caught by the next re-check, see {@link HoldGeneration}).
     */
    java.util.Set<Long> heldAmong(List<Claimed> claimed) {
        if (claimed.isEmpty()) {
            return java.util.Set.of();
        }
        List<Object> params = new ArrayList<>(List.of(MessageStatus.HELD.name()));
        claimed.forEach(m -> params.add(m.id()));
        return new java.util.HashSet<>(jdbc.sql("select id from message where status = ? and id in ("
                + SqlLists.placeholders(claimed.size()) + ")").params(params).query(Long.class).list());
    }

    /** Gives claimed messages that were not tried back to the queue, their attempt not counted, in the caller's transaction. */
    void release(List<Claimed> unsent) {
        SqlBatches.run(jdbcTemplate, """
                update message set lease_until = null, attempts = attempts - 1 where id = ? and lease_until = ?""",
                unsent.stream().map(m -> new Object[] {m.id(), Times.sql(m.leaseUntil())}).toList());
    }

    /**
     * Releases the leases this node held when it stopped: no running process holds them any more, so
     * what was claimed need not wait for the lease to pass. On PostgreSQL only those claimed under this
     * node's id (other nodes may be delivering theirs); on the embedded database all of them, as only
     * one process can open it. A message that reached the relay before the crash without its outcome
     * being recorded goes out again: that is the at-least-once bound (the workers' batches in flight).
     */
    int releaseLeftoverLeases() {
        List<Object> params = new ArrayList<>(List.of(MessageStatus.QUEUED.name(), MessageStatus.HELD.name()));
        if (postgres) {
            params.add(node);
        }
        int released = transactions.execute(status -> jdbc.sql("""
                update message set lease_until = null
                where status in (?, ?) and lease_until is not null""" + (postgres ? " and claimed_by = ?" : ""))
                .params(params).update());
        if (released > 0) {
            log.info("released the leases of {} messages this node (id {}) had claimed before it stopped", released, node);
        }
        return released;
    }
}
