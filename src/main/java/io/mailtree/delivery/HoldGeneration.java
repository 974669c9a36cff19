package io.mailtree.delivery;

import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * A counter this node advances each time a hold of queued mail commits ({@link MessageHolds}). A
 * worker sending a claimed batch reads it before each message and asks the database which of its
 * messages were held only when it moved, so the common case (no hold) costs one read of a number a
 * message, and the cancel of a campaign stops its in-flight batches at the next message.
 *
 * <p>It counts this node's holds only: a hold committed on another node is seen by the re-check each
 * worker makes before its send loop, and during the loop at most {@link #RECHECK_EVERY_MILLIS} later.
 */
@Component
class HoldGeneration {

    /** How stale a worker's view of its batch's holds may get when this node's counter did not move. */
    static final long RECHECK_EVERY_MILLIS = 1000;

    private final AtomicLong generation = new AtomicLong();

    long current() {
        return generation.get();
    }

    void advance() {
        generation.incrementAndGet();
    }
}
