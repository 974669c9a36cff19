package io.mailtree.notifications;

import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Queues a system e-mail. The row commits or rolls back with the caller's transaction; after
 * commit the {@link SystemMailDispatcher} is nudged to deliver it at once instead of waiting for
 * its next poll.
 */
@Service
public class SystemMail {

    private final JdbcClient jdbc;
    private final Clock clock;
    private final SystemMailDispatcher dispatcher;

    SystemMail(JdbcClient jdbc, Clock clock, SystemMailDispatcher dispatcher) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.dispatcher = dispatcher;
    }

    public void send(String recipient, String subject, String text) {
        Instant now = clock.instant();
        jdbc.sql("""
                insert into system_mail (recipient, subject, body_text, created_at, next_attempt_at, attempts)
                values (?, ?, ?, ?, ?, 0)""")
                .params(recipient, subject, text, Times.sql(now), Times.sql(now))
                .update();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    dispatcher.nudge();
                }
            });
        } else {
            dispatcher.nudge();
        }
    }
}
