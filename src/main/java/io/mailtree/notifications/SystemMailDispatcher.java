package io.mailtree.notifications;

import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Delivers queued system mail outside any transaction: polls every few seconds and runs at once
 * when nudged after a commit. A failed attempt is retried with a growing delay; after 10 attempts
 * the message stays in the outbox with its last error for an operator to see.
 */
@Component
class SystemMailDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SystemMailDispatcher.class);
    private static final int MAX_ATTEMPTS = 10;
    private static final Duration LEASE = Duration.ofMinutes(2);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final MailTransport transport;
    private final String from;
    private final AtomicBoolean pending = new AtomicBoolean();
    private ScheduledExecutorService executor;

    SystemMailDispatcher(JdbcClient jdbc, Clock clock, MailTransport transport,
            @Value("${mailtree.mail.from}") String from) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.transport = transport;
        this.from = from;
    }

    void nudge() {
        if (executor != null && pending.compareAndSet(false, true)) {
            executor.execute(this::deliverDue);
        }
    }

    /** Delivers every message that is due; answers how many were delivered. */
    int deliverDue() {
        pending.set(false);
        int delivered = 0;
        try {
            List<Queued> due = jdbc.sql("""
                    select id, recipient, subject, body_text, attempts from system_mail
                    where sent_at is null and attempts < ? and next_attempt_at <= ? order by id limit 100""")
                    .params(MAX_ATTEMPTS, Times.sql(clock.instant()))
                    .query((rs, n) -> new Queued(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getInt(5)))
                    .list();
            for (Queued mail : due) {
                delivered += deliver(mail) ? 1 : 0;
            }
        } catch (RuntimeException unexpected) {
            log.warn("system mail dispatch failed; will retry", unexpected);
        }
        return delivered;
    }

    private boolean deliver(Queued mail) {
        // Claim with a lease rather than marking it sent: two nodes (or a poll and a nudge) never
        // send it at the same time, and if this node dies mid-send another retries after the lease.
        Instant now = clock.instant();
        int claimed = jdbc.sql("""
                update system_mail set next_attempt_at = ?, attempts = attempts + 1
                where id = ? and sent_at is null and next_attempt_at <= ?""")
                .params(Times.sql(now.plus(LEASE)), mail.id(), Times.sql(now)).update();
        if (claimed == 0) {
            return false;
        }
        try {
            transport.deliver(from, mail.recipient(), mail.subject(), mail.text());
            jdbc.sql("update system_mail set sent_at = ?, last_error = null where id = ?")
                    .params(Times.sql(clock.instant()), mail.id()).update();
            return true;
        } catch (Exception failure) {
            Duration backoff = Duration.ofSeconds((long) Math.min(3600, 5 * Math.pow(2, mail.attempts())));
            jdbc.sql("update system_mail set next_attempt_at = ?, last_error = ? where id = ?")
                    .params(Times.sql(now.plus(backoff)), truncate(String.valueOf(failure.getMessage())), mail.id())
                    .update();
            log.warn("system mail {} to {} not delivered (attempt {}): {}", mail.id(), mail.recipient(),
                    mail.attempts() + 1, failure.getMessage());
            return false;
        }
    }

    private static String truncate(String text) {
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }

    @Override
    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "system-mail");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::deliverDue, 2, 5, TimeUnit.SECONDS);
        log.info("System mail goes to {}", transport.describe());
    }

    @Override
    public void stop() {
        if (executor != null) {
            executor.shutdown();
            executor = null;
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    private record Queued(long id, String recipient, String subject, String text, int attempts) {
    }
}
