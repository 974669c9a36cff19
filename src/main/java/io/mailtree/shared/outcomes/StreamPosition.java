package io.mailtree.shared.outcomes;

/**
 * A place in the outcome stream. The stream is ordered by the writing transaction's number, then by
 * event id: on PostgreSQL {@code tx} is the transaction's xid8, on H2 (where events are appended in
 * commit order) it is always 0 and the id alone orders the stream (ADR 0010).
 */
public record StreamPosition(long tx, long id) {

    /** Before the first event. */
    public static final StreamPosition START = new StreamPosition(0, 0);
}
