package io.mailtree.shared.outcomes;

import java.time.Instant;
import java.util.List;

/**
 * Reads the outcome stream. Delivery provides the one implementation; consumers never write to it.
 */
public interface OutcomeSource {

    /**
     * Up to {@code limit} events after {@code position}, in stream order, and only events that no
     * transaction still open can precede: whatever commits later sorts after what this answers, so a
     * consumer that moves its position to the last event answered never skips one.
     */
    List<Outcome> after(StreamPosition position, int limit);

    /** How far the stream runs past {@code position}: the events behind and the oldest one's time. */
    Lag lag(StreamPosition position);

    /** Events not yet applied, and when the oldest of them happened (null when none). */
    record Lag(long events, Instant oldest) {

        public static final Lag NONE = new Lag(0, null);
    }
}
