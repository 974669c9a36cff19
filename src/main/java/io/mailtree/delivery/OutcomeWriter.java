package io.mailtree.delivery;

import io.mailtree.shared.Times;
import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.shared.outcomes.OutcomeType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes down what delivery attempts came to: each message's new status (delivered, bounced, failed,
 * suppressed) or its deferral (exponential backoff with jitter until the retry horizon, then a soft
 * bounce), and its events in {@link MessageEvents}. Everything is written only under the lease the
 * message was claimed with: a worker that lost its lease writes neither a status nor an event, so no
 * consumer of the stream acts on an outcome the message's row does not show. A batch's writes are one
 * batched statement per kind, in the caller's transaction.
 */
@Component
class OutcomeWriter {

    private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);

    private final JdbcTemplate jdbc;
    private final MessageEvents events;
    private final Clock clock;
    private final DeliverySettings settings;

    OutcomeWriter(JdbcTemplate jdbc, MessageEvents events, Clock clock, DeliverySettings settings) {
        this.jdbc = jdbc;
        this.events = events;
        this.clock = clock;
        this.settings = settings;
    }

    /** Writes the outcomes of attempts in the caller's transaction, with batched statements. */
    void recordAll(List<DeliveryAttempts.Attempt> attempts) {
        Batch batch = new Batch(clock.instant());
        for (DeliveryAttempts.Attempt attempt : attempts) {
            record(attempt, batch);
        }
        batch.write();
    }

    private void record(DeliveryAttempts.Attempt attempt, Batch batch) {
        MessageClaims.Claimed message = attempt.message();
        List<String> recipients = attempt.recipients();
        for (String recipient : attempt.suppressed()) {
            batch.event(message, OutcomeType.SUPPRESSED, recipient, "the address is on the account's suppression list");
        }
        if (recipients.isEmpty()) {
            batch.finish(message, MessageStatus.SUPPRESSED, null);
            return;
        }
        SmtpOutcome outcome = attempt.outcome();
        if (outcome instanceof SmtpOutcome.Delivered) {
            for (String recipient : recipients) {
                batch.event(message, OutcomeType.DELIVERED, recipient, null);
            }
            batch.finish(message, MessageStatus.DELIVERED, null);
        } else if (outcome instanceof SmtpOutcome.SenderRefused refused) {
            // The relay refused our sender: nothing is wrong with the recipients, so none is suppressed.
            for (String recipient : recipients) {
                batch.event(message, OutcomeType.FAILED, recipient, "the relay refused the sender: " + refused.reason());
            }
            batch.finish(message, MessageStatus.FAILED, refused.reason());
        } else if (outcome instanceof SmtpOutcome.Bounced bounced) {
            for (SmtpOutcome.Refusal refusal : bounced.refusals()) {
                bounce(message, refusal, batch);
            }
            batch.finish(message, MessageStatus.BOUNCED, bounced.reason());
        } else if (outcome instanceof SmtpOutcome.Partly partly) {
            for (SmtpOutcome.Refusal refusal : partly.bounced()) {
                bounce(message, refusal, batch);
            }
            for (String recipient : partly.sent()) {
                batch.event(message, OutcomeType.DELIVERED, recipient, null);
            }
            if (!partly.retry().isEmpty()) {
                defer(message, partly.retry(), partly.reason(), batch);
            } else {
                batch.finish(message, partly.sent().isEmpty() && !partly.bounced().isEmpty()
                        ? MessageStatus.BOUNCED : MessageStatus.DELIVERED, null);
            }
        } else if (outcome instanceof SmtpOutcome.Deferred deferred) {
            if (deferred.unexpected()) {
                log.warn("delivery of message {} failed; will retry", message.id(), attempt.failure());
            }
            defer(message, recipients, deferred.reason(), batch);
        }
    }

    /**
     * A permanent refusal. A hard bounce: the contacts module suppresses the address and marks its
     * contact when it reads the event, and until then the rest of this batch skips the address
     * ({@link DeliveryAttempts}). A policy refusal (RFC 3463 X.7.x) is a {@code BLOCK} bounce: this copy
     * is not tried again, but the address stays mailable.
     */
    private static void bounce(MessageClaims.Claimed message, SmtpOutcome.Refusal refusal, Batch batch) {
        if (refusal.policy()) {
            batch.event(message, OutcomeType.BOUNCED, refusal.recipient(), Outcome.BLOCK,
                    "blocked: " + refusal.diagnostic());
        } else {
            batch.event(message, OutcomeType.BOUNCED, refusal.recipient(), Outcome.HARD, "hard: " + refusal.diagnostic());
        }
    }

    /** A temporary failure: retried with exponential backoff and jitter, or a soft bounce past the horizon. */
    private void defer(MessageClaims.Claimed message, List<String> recipients, String reason, Batch batch) {
        Instant now = batch.now;
        if (now.isAfter(message.createdAt().plus(settings.retryHorizon()))) {
            for (String recipient : recipients) {
                batch.event(message, OutcomeType.BOUNCED, recipient, Outcome.SOFT,
                        "soft: no delivery within the retry horizon; last error: " + reason);
            }
            batch.finish(message, MessageStatus.BOUNCED, reason);
            return;
        }
        long base = Math.min(settings.retryHorizon().toMillis(),
                settings.retryBase().toMillis() << Math.min(20, Math.max(0, message.attempts() - 1)));
        long delay = (long) (base * (0.8 + ThreadLocalRandom.current().nextDouble() * 0.4));
        for (String recipient : recipients) {
            batch.event(message, OutcomeType.DEFERRED, recipient, reason);
        }
        batch.defer(message, recipients, now.plusMillis(Math.max(100, delay)), reason);
    }

    private static String truncate(String text) {
        return text == null ? null : text.length() > 1000 ? text.substring(0, 1000) : text;
    }

    /**
     * The writes that a batch of outcomes comes to, gathered so that each kind is one batched
     * statement: finished messages, deferred messages, and their events.
     */
    private final class Batch {
        private final List<MessageEvents.Event> pending = new ArrayList<>();
        private final List<MessageClaims.Claimed> finishedMessages = new ArrayList<>();
        private final List<Object[]> finished = new ArrayList<>();
        private final List<MessageClaims.Claimed> deferredMessages = new ArrayList<>();
        private final List<Object[]> deferred = new ArrayList<>();
        private final Instant now;

        Batch(Instant now) {
            this.now = now;
        }

        void event(MessageClaims.Claimed message, OutcomeType type, String recipient, String detail) {
            event(message, type, recipient, null, detail);
        }

        void event(MessageClaims.Claimed message, OutcomeType type, String recipient, String bounceClass, String detail) {
            pending.add(new MessageEvents.Event(message.account(), message.id(), message.apiKeyId(), type, recipient,
                    bounceClass, detail));
        }

        void finish(MessageClaims.Claimed message, MessageStatus status, String error) {
            finishedMessages.add(message);
            finished.add(new Object[] {status.name(), truncate(error), Times.sql(now), status.name(),
                MessageStatus.DELIVERED.name(), Times.sql(now), message.id(), Times.sql(message.leaseUntil())});
        }

        void defer(MessageClaims.Claimed message, List<String> recipients, Instant next, String reason) {
            deferredMessages.add(message);
            deferred.add(new Object[] {String.join("\n", recipients), Times.sql(next), truncate(reason), Times.sql(now),
                message.id(), Times.sql(message.leaseUntil())});
        }

        /**
         * Statuses first, each only while this worker's lease holds; then the events of the messages
         * whose status was written, and only those: a worker that lost its lease records nothing, so
         * no consumer acts on an outcome the message's row does not show. A deferral leaves the status
         * as it is: a message held while it was being tried stays held.
         */
        void write() {
            Set<Long> held = new HashSet<>();
            held(finishedMessages, SqlBatches.run(jdbc, """
                    update message set status = ?, lease_until = null, held_by = null, last_error = ?, updated_at = ?,
                        delivered_at = case when ? = ? then ? else delivered_at end
                    where id = ? and lease_until = ?""", finished), held);
            held(deferredMessages, SqlBatches.run(jdbc, """
                    update message set recipients = ?, next_attempt_at = ?, lease_until = null, last_error = ?,
                        updated_at = ?
                    where id = ? and lease_until = ?""", deferred), held);
            if (held.size() < finishedMessages.size() + deferredMessages.size()) {
                log.warn("{} outcomes were not recorded: their lease had passed to another worker",
                        finishedMessages.size() + deferredMessages.size() - held.size());
            }
            events.recordAll(pending.stream().filter(event -> held.contains(event.messageId())).toList());
        }

        private static void held(List<MessageClaims.Claimed> messages, int[] updated, Set<Long> held) {
            for (int i = 0; i < messages.size(); i++) {
                if (updated[i] != 0) {
                    held.add(messages.get(i).id());
                }
            }
        }
    }
}
