package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.Times;
import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.shared.outcomes.OutcomeSource;
import io.mailtree.shared.outcomes.OutcomeType;
import io.mailtree.shared.outcomes.StreamPosition;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * {@link MessageEvents} read as a stream, for the modules that consume delivery's outcomes. On
 * PostgreSQL each event row carries its transaction's id, and the stream is read in (transaction, id)
 * order only below {@code pg_snapshot_xmin(pg_current_snapshot())}: every transaction below that
 * horizon has ended, so no event can later appear before what was read, however the writers' commits
 * interleave. On H2 events are appended in commit order (see {@link MessageEvents#recordAll}) and the
 * id alone orders the stream (ADR 0010). Each event carries its message's bulk id (read with it, by
 * the message's primary key), so a campaign's consumer finds its events without a lookup of its own.
 */
@Component
class MessageEventStream implements OutcomeSource {

    private static final String COLUMNS = """
            select e.id, e.tx_id, e.account_id, e.api_key_id, e.message_id, e.event_type, e.recipient, e.bounce_class,
                e.detail, e.occurred_at, e.recipient_count, e.link_index, e.machine, m.bulk_id, m.bulk_variant
            from message_event e left join message m on m.id = e.message_id""";
    /** Counting stops here: a lag this large is an alarm whatever its exact size. */
    private static final int COUNT_CAP = 10_000_000;
    private static final RowMapper<Outcome> MAPPER = (rs, n) -> new Outcome(
            new StreamPosition(rs.getLong("tx_id"), rs.getLong("id")), new AccountId(rs.getObject("account_id", UUID.class)),
            rs.getObject("api_key_id", UUID.class), rs.getLong("message_id"),
            OutcomeType.valueOf(rs.getString("event_type")),
            rs.getString("recipient"), rs.getString("bounce_class"), rs.getString("detail"),
            Times.instant(rs, "occurred_at"), rs.getObject("recipient_count", Integer.class),
            rs.getObject("bulk_id", UUID.class), rs.getObject("link_index", Integer.class),
            rs.getObject("machine", Boolean.class), rs.getObject("bulk_variant", Integer.class));

    private final JdbcClient jdbc;
    private final boolean postgres;

    MessageEventStream(JdbcClient jdbc, DatabaseKind database) {
        this.jdbc = jdbc;
        this.postgres = database.isPostgres();
    }

    @Override
    public List<Outcome> after(StreamPosition position, int limit) {
        if (postgres) {
            // The batch is cut from message_event alone, then joined to its messages: joined first, PostgreSQL
            // joined every event behind the position before sorting and cutting, so a lagging consumer paid
            // for its whole backlog on every batch (a send benchmark spent 2.5 ms of database CPU a message).
            return jdbc.sql(COLUMNS.replace("from message_event e", """
                    from (select * from message_event
                          where (tx_id, id) > (?, ?) and tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                          order by tx_id, id limit ?) e""") + " order by e.tx_id, e.id")
                    .params(position.tx(), position.id(), limit).query(MAPPER).list();
        }
        return jdbc.sql(COLUMNS + " where e.id > ? order by e.id limit ?").params(position.id(), limit).query(MAPPER)
                .list();
    }

    @Override
    public Lag lag(StreamPosition position) {
        String after = postgres ? " where (tx_id, id) > (?, ?)" : " where id > ?";
        String order = postgres ? " order by tx_id, id" : " order by id";
        Object[] params = postgres ? new Object[] {position.tx(), position.id()} : new Object[] {position.id()};
        Instant oldest = jdbc.sql("select occurred_at from message_event" + after + order + " limit 1").params(params)
                .query((rs, n) -> Times.instant(rs, "occurred_at")).optional().orElse(null);
        if (oldest == null) {
            return Lag.NONE;
        }
        long events = jdbc.sql("select count(*) from (select 1 from message_event" + after + " limit " + COUNT_CAP
                + ") behind").params(params).query(Long.class).single();
        return new Lag(events, oldest);
    }
}
