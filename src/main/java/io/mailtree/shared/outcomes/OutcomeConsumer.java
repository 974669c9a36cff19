package io.mailtree.shared.outcomes;

import java.util.List;

/**
 * A module's reaction to delivery outcomes, run by {@link OutcomeConsumers}. {@link #apply} runs in
 * the transaction that then moves the consumer's position past the batch, so an effect and the
 * position commit together or not at all. The effect must be idempotent: after a failure the same
 * events may be applied again (a replay changes nothing). A consumer that throws is retried with
 * backoff from the same position; it should skip, not throw on, an event whose data it can never use.
 */
public interface OutcomeConsumer {

    /** A stable name, the key of the consumer's position: changing it replays the retained stream. */
    String name();

    /** Applies a batch of events, in stream order, in the caller's transaction. */
    void apply(List<Outcome> outcomes);
}
