package io.mailtree.delivery;

import io.mailtree.shared.BackgroundThreads;
import io.mailtree.notifications.DevMailbox;
import io.mailtree.notifications.MailTransport;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.NodeIdentity;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.SuppressedRecipients;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers the queue. Each worker claims a batch of due messages with a lease (FOR UPDATE SKIP
 * LOCKED on PostgreSQL, so several nodes share one queue without taking the same row), signs each
 * once, hands it to the relay over its own reused connection, and records the outcome: delivered,
 * deferred with exponential backoff and jitter (4xx, relay down) until the retry horizon, or bounced
 * (5xx), as {@link SmtpOutcomes} classifies the relay's answer. Each outcome is an event of
 * {@link MessageEvents}; what follows from it (the suppression of a hard-bounced address, the
 * contact's status, the account's last send) is up to the modules that consume that stream, which
 * delivery does not know (ADR 0010). Messages of an inactive account are not claimed: they are
 * held, neither sent nor lost, until it is active again (D-12). No SMTP
 * call runs inside a database transaction; a batch's outcomes are written together, under the lease
 * they were claimed with (ADR 0006, ADR 0007). A claim names this node ({@link NodeIdentity}); at
 * start the node releases the leases it held before it stopped, so a node that crashed delivers what
 * it had claimed as soon as it is back instead of after the lease.
 */
@Component
class DeliveryWorkers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorkers.class);

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final SuppressedRecipients suppressions;
    private final MessageEvents events;
    private final DkimSigning dkim;
    private final MailTransport mailTransport;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final boolean postgres;
    private final String node;
    private final Settings settings;
    private final ReturnPaths returnPaths;
    private final Semaphore wake = new Semaphore(0);
    private final int priorityWorkers;
    private final BackgroundThreads threads = new BackgroundThreads();
    private volatile boolean running;

    /** Worker and relay settings, from {@code mailtree.delivery.*} and {@code mailtree.relay.*}. */
    record Settings(int workers, int batch, Duration lease, Duration horizon, Duration retryBase, String bounceDomain,
            String relayHost,
            int relayPort, String relayUsername, String relayPassword, String relayTls) {
    }

    DeliveryWorkers(JdbcClient jdbc, JdbcTemplate jdbcTemplate, SuppressedRecipients suppressions, MessageEvents events, DkimSigning dkim, MailTransport mailTransport, Clock clock,
            PlatformTransactionManager transactionManager, DatabaseKind database, NodeIdentity node, ReturnPaths returnPaths,
            @Value("${mailtree.delivery.workers:8}") int workers, @Value("${mailtree.delivery.batch:50}") int batch,
            @Value("${mailtree.delivery.priority-workers:1}") int priorityWorkers,
            @Value("${mailtree.delivery.retry-horizon:72h}") Duration horizon,
            @Value("${mailtree.delivery.retry-base:30s}") Duration retryBase,
            @Value("${mailtree.delivery.lease:2m}") Duration lease,
            @Value("${mailtree.bounce-domain:bounces.mailtree.localhost}") String bounceDomain,
            @Value("${mailtree.relay.host:}") String relayHost, @Value("${mailtree.relay.port:25}") int relayPort,
            @Value("${mailtree.relay.username:}") String relayUsername,
            @Value("${mailtree.relay.password:}") String relayPassword,
            @Value("${mailtree.relay.tls:none}") String relayTls) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.suppressions = suppressions;
        this.events = events;
        this.dkim = dkim;
        this.mailTransport = mailTransport;
        this.clock = clock;
        this.transactions = new TransactionTemplate(transactionManager);
        this.postgres = database.isPostgres();
        this.node = node.id();
        this.settings = new Settings(workers, batch, lease, horizon, retryBase, bounceDomain, relayHost, relayPort,
                relayUsername, relayPassword, relayTls);
        this.returnPaths = returnPaths;
        this.priorityWorkers = Math.max(0, priorityWorkers);
    }

    /** Wakes idle workers after new messages commit. */
    void nudge() {
        wake.release(settings.workers());
    }

    /** A claimed message. */
    record Claimed(long id, AccountId account, UUID apiKeyId, String from, List<String> recipients, String verp,
            int attempts, Instant createdAt, Instant leaseUntil, boolean viaSmtp, byte[] mime) {
    }

    /** Claims up to {@code limit} due messages of active accounts, leasing them to this worker. */
    List<Claimed> claim(int limit) {
        return claim(limit, Integer.MAX_VALUE);
    }

    /**
     * Claims up to {@code limit} due messages of active accounts whose priority is at most
     * {@code maxPriority} (D-20: the priority lane's workers take only TRANSACTIONAL and unlabelled
     * mail, so a new receipt never waits behind a marketing batch a worker is in the middle of).
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
            List<Long> ids = jdbc.sql("""
                    select m.id from message m
                    where m.status = 'QUEUED' and m.priority <= ? and m.next_attempt_at <= ?
                      and (m.lease_until is null or m.lease_until < ?)
                      and exists (select 1 from account a where a.id = m.account_id and a.status = 'ACTIVE')
                    order by m.priority, m.next_attempt_at, m.id limit ? for update""" + (postgres ? " skip locked" : ""))
                    .params(maxPriority, Times.sql(now), Times.sql(now), limit).query(Long.class).list();
            if (ids.isEmpty()) {
                return List.<Claimed>of();
            }
            // One update and one read for the whole batch: this is the hot path of delivery.
            String in = SqlLists.placeholders(ids.size());
            // Every write of an outcome names this lease: a worker that held a batch too long cannot overwrite
            // what the worker that took it over recorded.
            Instant leaseUntil = now.plus(settings.lease()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            List<Object> params = new ArrayList<>(List.of(Times.sql(leaseUntil), node, Times.sql(now)));
            params.addAll(ids);
            jdbc.sql("update message set lease_until = ?, claimed_by = ?, attempts = attempts + 1, updated_at = ? where id in ("
                    + in + ")")
                    .params(params).update();
            List<Claimed> claimed = jdbc.sql("select * from message where id in (" + in + ")"
                    + " order by priority, next_attempt_at, id")
                    .params(new ArrayList<Object>(ids))
                    .query((rs, n) -> new Claimed(rs.getLong("id"), new AccountId(rs.getObject("account_id", UUID.class)),
                            rs.getObject("api_key_id", UUID.class), rs.getString("from_email"),
                            Arrays.asList(rs.getString("recipients").split("\n")), rs.getString("verp_token"),
                            rs.getInt("attempts"), Times.instant(rs, "created_at"), leaseUntil, rs.getBoolean("via_smtp"),
                            rs.getBytes("mime")))
                    .list();
            return claimed;
        });
    }

    /** What one delivery attempt came to, before it is written down. */
    record Attempt(Claimed message, List<String> suppressed, List<String> recipients, Exception failure,
            SmtpOutcome outcome) {
    }

    /**
     * Delivers a claimed batch and records what happened. Suppressions are read once for the batch
     * (and a hard bounce suppresses its address for the rest of it); the outcomes are written in one
     * transaction after the last SMTP exchange (one commit a batch, not one a message). Sending stops
     * when half the lease has passed or the node is stopping: what was sent is recorded and the rest
     * released, so a slow relay never lets a lease expire under messages already handed over. If the
     * transaction fails, each outcome is written on its own, so one bad record cannot send the whole
     * batch round again.
     */
    void deliver(List<Claimed> batch, RelayConnection relay) {
        Map<AccountId, Set<String>> suppressedByAccount = new HashMap<>();
        for (Claimed message : batch) {
            suppressedByAccount.computeIfAbsent(message.account(), a -> new HashSet<>()).addAll(message.recipients());
        }
        suppressedByAccount.replaceAll((account, addresses) -> new HashSet<>(suppressions.suppressedAmong(account, addresses)));
        Instant sendUntil = clock.instant().plus(settings.lease().dividedBy(2));
        List<Attempt> attempts = new ArrayList<>(batch.size());
        List<Claimed> unsent = new ArrayList<>();
        DkimSigning.Keys keys = dkim.keys();
        for (Claimed message : batch) {
            if (!unsent.isEmpty() || !running || clock.instant().isAfter(sendUntil)) {
                unsent.add(message);
            } else {
                attempts.add(attempt(message, relay, suppressedByAccount.get(message.account()), keys));
            }
        }
        try {
            transactions.executeWithoutResult(status -> {
                recordAll(attempts);
                release(unsent);
            });
        } catch (RuntimeException batchFailed) {
            log.warn("recording the outcomes of {} messages together failed; recording them one by one",
                    attempts.size(), batchFailed);
            for (Attempt attempt : attempts) {
                try {
                    transactions.executeWithoutResult(status -> recordAll(List.of(attempt)));
                } catch (RuntimeException bookkeeping) {
                    // the lease expires and the message is tried again
                    log.warn("recording the outcome of message {} failed", attempt.message().id(), bookkeeping);
                }
            }
        }
    }

    /** Gives claimed messages that were not tried back to the queue, their attempt not counted. */
    private void release(List<Claimed> unsent) {
        SqlBatches.run(jdbcTemplate, """
                update message set lease_until = null, attempts = attempts - 1 where id = ? and lease_until = ?""",
                unsent.stream().map(m -> new Object[] {m.id(), Times.sql(m.leaseUntil())}).toList());
    }

    /** Signs the message once and hands it to the relay for its recipients that are not suppressed. */
    private Attempt attempt(Claimed message, RelayConnection relay, Set<String> suppressedAddresses,
            DkimSigning.Keys keys) {
        List<String> suppressed = new ArrayList<>();
        List<String> recipients = new ArrayList<>();
        for (String recipient : message.recipients()) {
            (suppressedAddresses.contains(recipient) ? suppressed : recipients).add(recipient);
        }
        Exception failure = null;
        if (!recipients.isEmpty()) {
            try {
                byte[] signed = dkim.sign(message.account(), message.from(), message.mime(), message.viaSmtp(), keys);
                if (relay == null && mailTransport instanceof DevMailbox mailbox) {
                    var parsed = new jakarta.mail.internet.MimeMessage(null, new java.io.ByteArrayInputStream(signed));
                    for (String recipient : recipients) {
                        mailbox.deliver(message.from(), recipient, parsed.getSubject(), DevText.of(parsed));
                    }
                } else {
                    // One envelope per recipient, each with its own return path: see ReturnPaths.
                    relay.send(signed, recipient -> "bounces+" + returnPaths.token(message.id(), recipient) + "@"
                            + settings.bounceDomain(), recipients);
                }
            } catch (Exception sendFailure) {
                failure = sendFailure;
            }
        }
        SmtpOutcome outcome = SmtpOutcomes.classify(recipients, failure);
        // A later message of this batch to an address that just bounced hard is not sent.
        suppressedAddresses.addAll(outcome.hardBounced());
        return new Attempt(message, suppressed, recipients, failure, outcome);
    }

    /** Writes the outcomes of attempts in the caller's transaction, with batched statements. */
    private void recordAll(List<Attempt> attempts) {
        Outcomes outcomes = new Outcomes();
        for (Attempt attempt : attempts) {
            record(attempt, outcomes);
        }
        outcomes.write();
    }

    /**
     * The writes that a batch of outcomes comes to, gathered so that each kind is one batched
     * statement: finished messages, deferred messages, and their events.
     */
    private final class Outcomes {
        private final List<MessageEvents.Event> pending = new ArrayList<>();
        private final List<Claimed> finishedMessages = new ArrayList<>();
        private final List<Object[]> finished = new ArrayList<>();
        private final List<Claimed> deferredMessages = new ArrayList<>();
        private final List<Object[]> deferred = new ArrayList<>();
        private final Instant now = clock.instant();

        void event(Claimed message, String type, String recipient, String detail) {
            event(message, type, recipient, null, detail);
        }

        void event(Claimed message, String type, String recipient, String bounceClass, String detail) {
            pending.add(new MessageEvents.Event(message.account(), message.id(), message.apiKeyId(), type, recipient,
                    bounceClass, detail));
        }

        void finish(Claimed message, MessageStatus status, String error) {
            finishedMessages.add(message);
            finished.add(new Object[] {status.name(), truncate(error), Times.sql(now), status.name(), Times.sql(now),
                    message.id(),
                    Times.sql(message.leaseUntil())});
        }

        void defer(Claimed message, List<String> recipients, Instant next, String reason) {
            deferredMessages.add(message);
            deferred.add(new Object[] {String.join("\n", recipients), Times.sql(next), truncate(reason), Times.sql(now),
                    message.id(), Times.sql(message.leaseUntil())});
        }

        /**
         * Statuses first, each only while this worker's lease holds; then the events of the messages
         * whose status was written, and only those: a worker that lost its lease records nothing, so
         * no consumer acts on an outcome the message's row does not show.
         */
        void write() {
            Set<Long> held = new HashSet<>();
            held(finishedMessages, SqlBatches.run(jdbcTemplate, """
                    update message set status = ?, lease_until = null, last_error = ?, updated_at = ?,
                        delivered_at = case when ? = 'DELIVERED' then ? else delivered_at end
                    where id = ? and lease_until = ?""", finished), held);
            held(deferredMessages, SqlBatches.run(jdbcTemplate, """
                    update message set recipients = ?, next_attempt_at = ?, lease_until = null, last_error = ?,
                        updated_at = ?
                    where id = ? and lease_until = ?""", deferred), held);
            if (held.size() < finishedMessages.size() + deferredMessages.size()) {
                log.warn("{} outcomes were not recorded: their lease had passed to another worker",
                        finishedMessages.size() + deferredMessages.size() - held.size());
            }
            events.recordAll(pending.stream().filter(event -> held.contains(event.messageId())).toList());
        }

        private static void held(List<Claimed> messages, int[] updated, Set<Long> held) {
            for (int i = 0; i < messages.size(); i++) {
                if (updated[i] != 0) {
                    held.add(messages.get(i).id());
                }
            }
        }
    }

    private void record(Attempt attempt, Outcomes outcomes) {
        Claimed message = attempt.message();
        List<String> recipients = attempt.recipients();
        for (String recipient : attempt.suppressed()) {
            outcomes.event(message, "SUPPRESSED", recipient, "the address is on the account's suppression list");
        }
        if (recipients.isEmpty()) {
            outcomes.finish(message, MessageStatus.SUPPRESSED, null);
            return;
        }
        SmtpOutcome outcome = attempt.outcome();
        if (outcome instanceof SmtpOutcome.Delivered) {
            for (String recipient : recipients) {
                outcomes.event(message, "DELIVERED", recipient, null);
            }
            outcomes.finish(message, MessageStatus.DELIVERED, null);
        } else if (outcome instanceof SmtpOutcome.SenderRefused refused) {
            // The relay refused our sender: nothing is wrong with the recipients, so none is suppressed.
            for (String recipient : recipients) {
                outcomes.event(message, "FAILED", recipient, "the relay refused the sender: " + refused.reason());
            }
            outcomes.finish(message, MessageStatus.FAILED, refused.reason());
        } else if (outcome instanceof SmtpOutcome.Bounced bounced) {
            for (SmtpOutcome.Refusal refusal : bounced.refusals()) {
                bounce(message, refusal, outcomes);
            }
            outcomes.finish(message, MessageStatus.BOUNCED, bounced.reason());
        } else if (outcome instanceof SmtpOutcome.Partly partly) {
            for (SmtpOutcome.Refusal refusal : partly.bounced()) {
                bounce(message, refusal, outcomes);
            }
            for (String recipient : partly.sent()) {
                outcomes.event(message, "DELIVERED", recipient, null);
            }
            if (!partly.retry().isEmpty()) {
                defer(message, partly.retry(), partly.reason(), outcomes);
            } else {
                outcomes.finish(message, partly.sent().isEmpty() && !partly.bounced().isEmpty()
                        ? MessageStatus.BOUNCED : MessageStatus.DELIVERED, null);
            }
        } else if (outcome instanceof SmtpOutcome.Deferred deferred) {
            if (deferred.unexpected()) {
                log.warn("delivery of message {} failed; will retry", message.id(), attempt.failure());
            }
            defer(message, recipients, deferred.reason(), outcomes);
        }
    }

    /**
     * A hard bounce. The contacts module suppresses the address and marks its contact when it reads
     * the event; until then the rest of this batch skips the address (see {@link #attempt}).
     */
    private void bounce(Claimed message, SmtpOutcome.Refusal refusal, Outcomes outcomes) {
        outcomes.event(message, "BOUNCED", refusal.recipient(), "HARD", "hard: " + refusal.diagnostic());
    }

    /** A temporary failure: retried with exponential backoff and jitter, or a soft bounce past the horizon. */
    private void defer(Claimed message, List<String> recipients, String reason, Outcomes outcomes) {
        Instant now = outcomes.now;
        if (now.isAfter(message.createdAt().plus(settings.horizon()))) {
            for (String recipient : recipients) {
                outcomes.event(message, "BOUNCED", recipient, "SOFT",
                        "soft: no delivery within the retry horizon; last error: " + reason);
            }
            outcomes.finish(message, MessageStatus.BOUNCED, reason);
            return;
        }
        long base = Math.min(settings.horizon().toMillis(),
                settings.retryBase().toMillis() << Math.min(20, Math.max(0, message.attempts() - 1)));
        long delay = (long) (base * (0.8 + ThreadLocalRandom.current().nextDouble() * 0.4));
        for (String recipient : recipients) {
            outcomes.event(message, "DEFERRED", recipient, reason);
        }
        outcomes.defer(message, recipients, now.plusMillis(Math.max(100, delay)), reason);
    }

    private static String truncate(String text) {
        return text == null ? null : text.length() > 1000 ? text.substring(0, 1000) : text;
    }

    // --- lifecycle ------------------------------------------------------------------------------

    private void work(int maxPriority) {
        RelayConnection relay = settings.relayHost() == null || settings.relayHost().isBlank() ? null
                : new RelayConnection(settings.relayHost(), settings.relayPort(), settings.relayUsername(),
                        settings.relayPassword(), settings.relayTls());
        try {
            while (running) {
                List<Claimed> batch;
                try {
                    batch = claim(settings.batch(), maxPriority);
                } catch (RuntimeException databaseTrouble) {
                    log.warn("claiming messages failed; retrying", databaseTrouble);
                    batch = List.of();
                }
                if (!batch.isEmpty()) {
                    try {
                        deliver(batch, relay);
                    } catch (RuntimeException databaseTrouble) {
                        // the leases expire and the messages are tried again
                        log.warn("delivering a batch of {} messages failed", batch.size(), databaseTrouble);
                    }
                } else {
                    wake.tryAcquire(500, TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                }
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        } finally {
            if (relay != null) {
                relay.close();
            }
        }
    }

    /**
     * Releases the leases this node held when it stopped: no running process holds them any more, so
     * what was claimed need not wait for the lease to pass. On PostgreSQL only those claimed under this
     * node's id (other nodes may be delivering theirs); on the embedded database all of them, as only
     * one process can open it. A message that reached the relay before the crash without its outcome
     * being recorded goes out again: that is the at-least-once bound (the workers' batches in flight).
     */
    int releaseLeftoverLeases() {
        int released = transactions.execute(status -> jdbc.sql("""
                update message set lease_until = null
                where status = 'QUEUED' and lease_until is not null""" + (postgres ? " and claimed_by = ?" : ""))
                .params(postgres ? List.of(node) : List.of()).update());
        if (released > 0) {
            log.info("released the leases of {} messages this node (id {}) had claimed before it stopped", released, node);
        }
        return released;
    }

    @Override
    public void start() {
        try {
            releaseLeftoverLeases();
        } catch (RuntimeException databaseTrouble) {
            // Not fatal: the leases then pass with time, as they would on any other node.
            log.warn("releasing this node's leases from before it stopped failed", databaseTrouble);
        }
        running = true;
        for (int i = 0; i < settings.workers(); i++) {
            // D-20: the first priority-workers take only TRANSACTIONAL and unlabelled mail (priority 0 and 1).
            int maxPriority = i < Math.min(priorityWorkers, settings.workers() - 1) ? 1 : Integer.MAX_VALUE;
            threads.start("delivery-" + i, () -> work(maxPriority));
        }
    }

    @Override
    public void stop() {
        running = false;
        threads.interruptAndJoin(Duration.ofSeconds(5));
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
