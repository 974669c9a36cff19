package io.mailtree.delivery;

import io.mailtree.notifications.MailTransport;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.SuppressedRecipients;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Tries a claimed batch: leaves out the recipients on their account's suppression list, signs each
 * message once ({@link DkimSigning}), hands it to the transport over the worker's own connection with
 * a return path per recipient ({@link ReturnPaths}), and judges the answer ({@link SmtpOutcomes}).
 * Which transport that is (the SMTP relay or the development mailbox) is the transport's business:
 * delivery only hands over signed MIME bytes. No SMTP exchange runs inside a database transaction;
 * the batch's outcomes are then written together ({@link OutcomeWriter}).
 */
@Component
class DeliveryAttempts {

    private static final Logger log = LoggerFactory.getLogger(DeliveryAttempts.class);

    private final SuppressedRecipients suppressions;
    private final DkimSigning dkim;
    private final ReturnPaths returnPaths;
    private final MessageClaims claims;
    private final OutcomeWriter outcomes;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final DeliverySettings settings;
    private final HoldGeneration holds;

    DeliveryAttempts(SuppressedRecipients suppressions, DkimSigning dkim, ReturnPaths returnPaths, MessageClaims claims,
            OutcomeWriter outcomes, Clock clock, PlatformTransactionManager transactionManager, DeliverySettings settings,
            HoldGeneration holds) {
        this.holds = holds;
        this.suppressions = suppressions;
        this.dkim = dkim;
        this.returnPaths = returnPaths;
        this.claims = claims;
        this.outcomes = outcomes;
        this.clock = clock;
        this.transactions = new TransactionTemplate(transactionManager);
        this.settings = settings;
    }

    /** What one delivery attempt came to, before it is written down. */
    record Attempt(MessageClaims.Claimed message, List<String> suppressed, List<String> recipients, Exception failure,
            SmtpOutcome outcome) {
    }

    /**
     * Delivers a claimed batch and records what happened. Suppressions are read once for the batch
     * (and a hard bounce suppresses its address for the rest of it); the outcomes are written in one
     * transaction after the last SMTP exchange (one commit a batch, not one a message). Sending stops
     * when half the lease has passed or {@code keepSending} says no (the node is stopping): what was
     * sent is recorded and the rest released, so a slow relay never lets a lease expire under messages
     * already handed over. If the transaction fails, each outcome is written on its own, so one bad
     * record cannot send the whole batch round again.
     *
     * <p>A message held after it was claimed (a campaign cancelled or paused, a key paused, an account
     * deactivated) is not handed over: the batch's statuses are read once before the first message,
     * and again before a message only when this node committed a hold meanwhile ({@link HoldGeneration})
     * or a second has passed (a hold on another node). A held one is given back like an unsent one,
     * its attempt not counted; it stays held. Without this, a batch claimed a moment before a cancel
     * committed went out whole after it.
     */
    void deliver(List<MessageClaims.Claimed> batch, MailTransport.Connection connection, BooleanSupplier keepSending) {
        Map<AccountId, Set<String>> suppressedByAccount = new HashMap<>();
        for (MessageClaims.Claimed message : batch) {
            suppressedByAccount.computeIfAbsent(message.account(), a -> new HashSet<>()).addAll(message.recipients());
        }
        suppressedByAccount.replaceAll((account, addresses) -> new HashSet<>(suppressions.suppressedAmong(account, addresses)));
        Instant sendUntil = clock.instant().plus(settings.lease().dividedBy(2));
        List<Attempt> attempts = new ArrayList<>(batch.size());
        List<MessageClaims.Claimed> unsent = new ArrayList<>();
        List<MessageClaims.Claimed> heldBack = new ArrayList<>();
        DkimSigning.Keys keys = dkim.keys();
        // The counter is read before the statuses: a hold that commits after the read moves it.
        long holdsSeen = holds.current();
        Set<Long> held = claims.heldAmong(batch);
        Instant heldCheckedAt = clock.instant();
        for (int i = 0; i < batch.size(); i++) {
            MessageClaims.Claimed message = batch.get(i);
            if (!unsent.isEmpty() || !keepSending.getAsBoolean() || clock.instant().isAfter(sendUntil)) {
                unsent.add(message);
                continue;
            }
            if (holds.current() != holdsSeen
                    || clock.instant().isAfter(heldCheckedAt.plusMillis(HoldGeneration.RECHECK_EVERY_MILLIS))) {
                holdsSeen = holds.current();
                try {
                    held = claims.heldAmong(batch.subList(i, batch.size()));
                } catch (RuntimeException unknown) {
                    // Whether the rest is held cannot be told: send no more of it, and still record what
                    // was sent, so that is not sent twice.
                    log.warn("re-checking the holds of a claimed batch failed; giving back its last {} messages",
                            batch.size() - i, unknown);
                    unsent.add(message);
                    continue;
                }
                heldCheckedAt = clock.instant();
            }
            if (held.contains(message.id())) {
                heldBack.add(message); // not with the unsent: the messages after it may still go
            } else {
                attempts.add(attempt(message, connection, suppressedByAccount.get(message.account()), keys));
            }
        }
        try {
            transactions.executeWithoutResult(status -> {
                outcomes.recordAll(attempts);
                claims.release(unsent);
                claims.release(heldBack);
            });
        } catch (RuntimeException batchFailed) {
            log.warn("recording the outcomes of {} messages together failed; recording them one by one",
                    attempts.size(), batchFailed);
            for (Attempt attempt : attempts) {
                try {
                    transactions.executeWithoutResult(status -> outcomes.recordAll(List.of(attempt)));
                } catch (RuntimeException bookkeeping) {
                    // the lease expires and the message is tried again
                    log.warn("recording the outcome of message {} failed", attempt.message().id(), bookkeeping);
                }
            }
        }
    }

    /** Signs the message once and hands it to the transport for its recipients that are not suppressed. */
    private Attempt attempt(MessageClaims.Claimed message, MailTransport.Connection connection,
            Set<String> suppressedAddresses, DkimSigning.Keys keys) {
        List<String> suppressed = new ArrayList<>();
        List<String> recipients = new ArrayList<>();
        for (String recipient : message.recipients()) {
            (suppressedAddresses.contains(recipient) ? suppressed : recipients).add(recipient);
        }
        Exception failure = null;
        if (!recipients.isEmpty()) {
            try {
                byte[] signed = dkim.sign(message.account(), message.from(), message.mime(), message.viaSmtp(), keys);
                // One envelope per recipient, each with its own return path: see ReturnPaths.
                connection.send(new MailTransport.Envelope(message.from(), recipients,
                        recipient -> returnPaths.address(message.id(), recipient)), signed);
            } catch (Exception sendFailure) {
                failure = sendFailure;
            }
        }
        SmtpOutcome outcome = SmtpOutcomes.classify(recipients, failure);
        // A later message of this batch to an address that just bounced hard is not sent.
        suppressedAddresses.addAll(outcome.hardBounced());
        return new Attempt(message, suppressed, recipients, failure, outcome);
    }
}
