package io.mailtree.delivery;

import io.mailtree.notifications.MailTransport;
import io.mailtree.shared.BackgroundThreads;
import io.mailtree.shared.NodeIdentity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the delivery threads ({@code mailtree.delivery.workers}, {@link DeliverySettings}). Each
 * opens its own connection to the transport, kept for as long as it runs, and loops: claim a batch
 * ({@link MessageClaims}), try it ({@link DeliveryAttempts}, whose outcomes {@link OutcomeWriter}
 * writes under the claim's lease), and when nothing is due wait for a nudge from a send that
 * committed, or half a second. At start the node releases the leases it held before it stopped
 * ({@link NodeIdentity}), so a node that crashed delivers what it had claimed as soon as it is back
 * instead of after the lease (ADR 0006, ADR 0007).
 */
@Component
class DeliveryWorkers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorkers.class);

    private final MessageClaims claims;
    private final DeliveryAttempts attempts;
    private final MailTransport transport;
    private final DeliverySettings settings;
    private final Semaphore wake = new Semaphore(0);
    private final BackgroundThreads threads = new BackgroundThreads();
    private volatile boolean running;

    DeliveryWorkers(MessageClaims claims, DeliveryAttempts attempts, MailTransport transport, DeliverySettings settings) {
        this.claims = claims;
        this.attempts = attempts;
        this.transport = transport;
        this.settings = settings;
    }

    /** Wakes idle workers after new messages commit. */
    void nudge() {
        wake.release(settings.workers());
    }

    private void work(int maxPriority) {
        try (MailTransport.Connection connection = transport.connect()) {
            while (running) {
                List<MessageClaims.Claimed> batch;
                try {
                    batch = claims.claim(settings.batch(), maxPriority);
                } catch (RuntimeException databaseTrouble) {
                    log.warn("claiming messages failed; retrying", databaseTrouble);
                    batch = List.of();
                }
                if (!batch.isEmpty()) {
                    try {
                        attempts.deliver(batch, connection, this::isRunning);
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
        }
    }

    @Override
    public void start() {
        try {
            claims.releaseLeftoverLeases();
        } catch (RuntimeException databaseTrouble) {
            // Not fatal: the leases then pass with time, as they would on any other node.
            log.warn("releasing this node's leases from before it stopped failed", databaseTrouble);
        }
        running = true;
        for (int i = 0; i < settings.workers(); i++) {
            // D-20: the first priority workers take only TRANSACTIONAL and unlabelled mail (priority 0 and 1).
            int maxPriority = i < Math.min(settings.priorityWorkers(), settings.workers() - 1) ? 1 : Integer.MAX_VALUE;
            threads.start("delivery-" + i, () -> work(maxPriority));
        }
    }

    /**
     * Stops claiming, and lets each worker end its batch first: a worker checks {@link #isRunning}
     * before each message, so it finishes the one in hand and writes the outcomes of what the relay
     * took. Interrupting it at once could fail that write (on H2, an interrupt closes the file), and
     * the message would stay leased and be sent again after the restart. Only a worker still busy
     * after the grace (a relay that does not answer) is interrupted.
     */
    @Override
    public void stop() {
        running = false;
        wake.release(settings.workers());
        threads.finishThenInterrupt(Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
