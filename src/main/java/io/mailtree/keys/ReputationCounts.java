package io.mailtree.keys;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.Times;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The hourly counters of {@code key_reputation_hour}: added to in batches by the reputation
 * consumer (one batched upsert a batch, whatever its size), summed over windows for the thresholds
 * and read hour by hour for the charts. Only the consumer writes them, one batch at a time (its row
 * lock in {@code event_consumer}), so the H2 MERGE never races another writer.
 */
@Component
class ReputationCounts {

    /** A key as the counters know it: its id and its own account (the tenant of its rows). */
    record KeyRef(AccountId account, UUID key) {
    }

    /** Counts to add to one key's hour. */
    record Increment(AccountId account, UUID key, Instant hour, ReputationTotals counts) {
    }

    /** One hour of one key. */
    record Hour(Instant hour, ReputationTotals counts) {
    }

    private final JdbcTemplate jdbcTemplate;
    private final JdbcClient jdbc;
    private final String upsert;

    ReputationCounts(JdbcTemplate jdbcTemplate, JdbcClient jdbc, DatabaseKind database) {
        this.jdbcTemplate = jdbcTemplate;
        this.jdbc = jdbc;
        this.upsert = database.isPostgres() ? """
                insert into key_reputation_hour (account_id, api_key_id, hour_start, sent, delivered, hard_bounces,
                    soft_bounces, complaints, blocks, unsubscribes)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (account_id, api_key_id, hour_start) do update set
                    sent = key_reputation_hour.sent + excluded.sent,
                    delivered = key_reputation_hour.delivered + excluded.delivered,
                    hard_bounces = key_reputation_hour.hard_bounces + excluded.hard_bounces,
                    soft_bounces = key_reputation_hour.soft_bounces + excluded.soft_bounces,
                    complaints = key_reputation_hour.complaints + excluded.complaints,
                    blocks = key_reputation_hour.blocks + excluded.blocks,
                    unsubscribes = key_reputation_hour.unsubscribes + excluded.unsubscribes"""
                : """
                merge into key_reputation_hour t
                using (values (cast(? as uuid), cast(? as uuid), cast(? as timestamp with time zone), cast(? as bigint),
                               cast(? as bigint), cast(? as bigint), cast(? as bigint), cast(? as bigint),
                               cast(? as bigint), cast(? as bigint)))
                    s (account_id, api_key_id, hour_start, sent, delivered, hard_bounces, soft_bounces, complaints,
                       blocks, unsubscribes)
                on t.account_id = s.account_id and t.api_key_id = s.api_key_id and t.hour_start = s.hour_start
                when matched then update set sent = t.sent + s.sent, delivered = t.delivered + s.delivered,
                    hard_bounces = t.hard_bounces + s.hard_bounces, soft_bounces = t.soft_bounces + s.soft_bounces,
                    complaints = t.complaints + s.complaints, blocks = t.blocks + s.blocks,
                    unsubscribes = t.unsubscribes + s.unsubscribes
                when not matched then insert (account_id, api_key_id, hour_start, sent, delivered, hard_bounces,
                    soft_bounces, complaints, blocks, unsubscribes)
                    values (s.account_id, s.api_key_id, s.hour_start, s.sent, s.delivered, s.hard_bounces,
                        s.soft_bounces, s.complaints, s.blocks, s.unsubscribes)""";
    }

    /** Adds the increments in one batched statement, in the caller's transaction. */
    void add(List<Increment> increments) {
        if (increments.isEmpty()) {
            return;
        }
        jdbcTemplate.batchUpdate(upsert, increments, 1000, (ps, inc) -> {
            ReputationTotals c = inc.counts();
            ps.setObject(1, inc.account().value());
            ps.setObject(2, inc.key());
            ps.setObject(3, Times.sql(inc.hour()));
            ps.setLong(4, c.sent());
            ps.setLong(5, c.delivered());
            ps.setLong(6, c.hardBounces());
            ps.setLong(7, c.softBounces());
            ps.setLong(8, c.complaints());
            ps.setLong(9, c.blocks());
            ps.setLong(10, c.unsubscribes());
        });
    }

    private static final String SUMS = """
            sum(sent), sum(delivered), sum(hard_bounces), sum(soft_bounces), sum(complaints), sum(blocks),
            sum(unsubscribes)""";

    private static ReputationTotals totals(ResultSet rs, int first) throws SQLException {
        return new ReputationTotals(rs.getLong(first), rs.getLong(first + 1), rs.getLong(first + 2),
                rs.getLong(first + 3), rs.getLong(first + 4), rs.getLong(first + 5), rs.getLong(first + 6));
    }

    /** Each key's totals over the hours starting at or after {@code since}, with one query. */
    Map<UUID, ReputationTotals> totalsSince(Collection<KeyRef> keys, Instant since) {
        Map<UUID, ReputationTotals> totals = new HashMap<>();
        if (keys.isEmpty()) {
            return totals;
        }
        List<Object> params = new ArrayList<>();
        params.add(Times.sql(since));
        StringBuilder which = new StringBuilder();
        for (KeyRef key : keys) {
            which.append(which.isEmpty() ? "" : " or ").append("(account_id = ? and api_key_id = ?)");
            params.add(key.account().value());
            params.add(key.key());
        }
        jdbc.sql("select api_key_id, " + SUMS + " from key_reputation_hour where hour_start >= ? and (" + which
                + ") group by api_key_id")
                .params(params)
                .query(rs -> {
                    totals.put(rs.getObject(1, UUID.class), totals(rs, 2));
                });
        return totals;
    }

    /** One key's hours between two instants, oldest first; hours without mail are absent. */
    List<Hour> hours(AccountId account, UUID key, Instant from, Instant to) {
        return jdbc.sql("select hour_start, sent, delivered, hard_bounces, soft_bounces, complaints, blocks,"
                + " unsubscribes from key_reputation_hour where account_id = ? and api_key_id = ? and hour_start >= ?"
                + " and hour_start < ? order by hour_start")
                .params(account.value(), key, Times.sql(from), Times.sql(to))
                .query((rs, n) -> new Hour(Times.instant(rs, "hour_start"), totals(rs, 2))).list();
    }
}
