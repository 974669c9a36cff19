package io.mailtree.delivery;

import io.mailtree.notifications.MailTransport;
import io.mailtree.shared.BackgroundThreads;
import io.mailtree.shared.NodeIdentity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    /** The highest claim priority the lane takes: TRANSACTIONAL (0) and unlabelled (1) mail; MARKETING is 2. */
    static final int LANE_PRIORITY = 1;

    /**
     * How long a marketing message waits at most for the priority mail in progress on this node before
     * it is sent anyway: under a steady transactional load, marketing still moves (a message a
     * worker this often) instead of waiting for a quiet moment that may not come.
     */
    static final Duration GIVE_WAY_AT_MOST = Duration.ofSeconds(1);

    /**
     * How long after TRANSACTIONAL or unlabelled mail committed on this node marketing gives way even
     * before a worker has claimed it: a nudged idle worker claims it within milliseconds, and once it
     * is claimed the batch count takes over.
     */
    static final Duration PRIORITY_CLAIM_WINDOW = Duration.ofMillis(100);

    private final MessageClaims claims;
    private final DeliveryAttempts attempts;
    private final MailTransport transport;
    private final DeliverySettings settings;
    private final Semaphore wake = new Semaphore(0);
    private final BackgroundThreads threads = new BackgroundThreads();
    /** Batches of TRANSACTIONAL or unlabelled mail being delivered on this node now (D-20, ADR 0029). */
    private final AtomicInteger priorityBatches = new AtomicInteger();
    private final Object priorityIdle = new Object();
    private final CpuSaturation cpu = new CpuSaturation();
    /** When TRANSACTIONAL or unlabelled mail last committed on this node ({@link System#nanoTime()}). */
    private volatile long priorityAcceptedAt = System.nanoTime() - 2 * PRIORITY_CLAIM_WINDOW.toNanos();
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

    /** Wakes idle workers after new messages of that claim priority commit; marketing gives way to priority mail. */
    void nudge(int priority) {
        if (priority <= LANE_PRIORITY) {
            priorityAcceptedAt = System.nanoTime();
        }
        nudge();
    }

    /** Whether priority mail is being delivered on this node, or committed here moments ago and about to be claimed. */
    private boolean priorityInProgress() {
        return priorityBatches.get() > 0 || System.nanoTime() - priorityAcceptedAt < PRIORITY_CLAIM_WINDOW.toNanos();
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
                    deliver(batch, connection);
                } else {
                    wake.tryAcquire(500, TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                }
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Delivers a claimed batch (all of one priority: {@link MessageClaims#claim(int, int)}). A marketing
     * batch gives way before each message while TRANSACTIONAL or unlabelled mail is in progress on this
     * node (being delivered, or committed here and about to be claimed): with the cores saturated, the
     * marketing workers would otherwise take most of the CPU a receipt needs, and the receipt's worker would wait for a core rather than for a batch
     * (the isolation benchmark's p99, ADR 0029). When no priority mail is in progress, or the machine's
     * processors are not saturated ({@link CpuSaturation}), nothing waits.
     */
    private void deliver(List<MessageClaims.Claimed> batch, MailTransport.Connection connection) {
        boolean marketing = batch.get(0).priority() > LANE_PRIORITY;
        if (!marketing) {
            priorityBatches.incrementAndGet();
        }
        try {
            attempts.deliver(batch, connection, marketing ? this::giveWayThenKeepSending : this::isRunning);
        } catch (RuntimeException databaseTrouble) {
            // the leases expire and the messages are tried again
            log.warn("delivering a batch of {} messages failed", batch.size(), databaseTrouble);
        } finally {
            if (!marketing && priorityBatches.decrementAndGet() == 0) {
                synchronized (priorityIdle) {
                    priorityIdle.notifyAll();
                }
            }
        }
    }

    /**
     * Waits, at most {@link #GIVE_WAY_AT_MOST}, while priority mail is in progress on this node
     * ({@link #priorityInProgress()}) and the processors are saturated; then answers whether to go on
     * sending. The batch keeps its lease meanwhile (its sending still stops at
     * half the lease, the rest released), so nothing is lost and nothing is sent twice by waiting.
     */
    private boolean giveWayThenKeepSending() {
        if (priorityInProgress() && cpu.saturated()) {
            long deadline = System.nanoTime() + GIVE_WAY_AT_MOST.toNanos();
            synchronized (priorityIdle) {
                long left;
                while (running && priorityInProgress() && (left = deadline - System.nanoTime()) > 0) {
                    try {
                        // Woken when the last priority batch ends; the claim window passes by itself.
                        priorityIdle.wait(Math.max(1, Math.min(10, TimeUnit.NANOSECONDS.toMillis(left))));
                    } catch (InterruptedException stopping) {
                        // Only stop() interrupts, after setting running to false: the batch ends here and its
                        // outcomes must still be written, which a pending interrupt would fail on H2.
                        return false;
                    }
                }
            }
        }
        return running;
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
            int maxPriority = i < Math.min(settings.priorityWorkers(), settings.workers() - 1) ? LANE_PRIORITY
                    : Integer.MAX_VALUE;
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
        synchronized (priorityIdle) {
            priorityIdle.notifyAll();
        }
        threads.finishThenInterrupt(Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
