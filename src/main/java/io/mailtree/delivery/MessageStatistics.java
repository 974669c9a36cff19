package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.TimeZones;
import io.mailtree.shared.Times;
import io.mailtree.shared.outcomes.OutcomeType;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Per-account and per-key counts of message events by hour (accepted, delivered, deferred,
 * bounced, complained, suppressed, ...). The counts move in the transaction that records the
 * events, aggregated first, so a batch of 50 deliveries is one row update, not 50; rows are
 * always updated in the same order, so two writers never deadlock on them; and each count is
 * spread over 16 shard rows, so concurrent senders of one key rarely wait on each other's commit.
 */
@Component
public class MessageStatistics {

    /**
     * The key column of events that no API key caused (mail sent from the application's pages); they
     * count in the all-keys figures, and {@link #hourly} can be asked for them alone.
     */
    public static final UUID NO_KEY = new UUID(0, 0);
    static final Duration MAX_RANGE = Duration.ofDays(93);
    /** The days the dashboard's chart and {@code GET /api/v1/statistics} list, today included. */
    public static final int CHART_DAYS = 30;
    private static final int SHARDS = 16;

    private final JdbcTemplate jdbcTemplate;
    private final JdbcClient jdbc;
    private final String upsert;
    private final boolean postgres;

    MessageStatistics(JdbcTemplate jdbcTemplate, JdbcClient jdbc, DatabaseKind database) {
        this.jdbcTemplate = jdbcTemplate;
        this.jdbc = jdbc;
        this.postgres = database.isPostgres();
        // PostgreSQL's upsert is atomic under concurrent writers; H2 (the embedded default, one node) has MERGE.
        this.upsert = postgres ? """
                insert into message_stat (account_id, api_key_id, hour_start, event_type, shard, event_count)
                values (?, ?, ?, ?, ?, ?)
                on conflict (account_id, hour_start, api_key_id, event_type, shard)
                do update set event_count = message_stat.event_count + excluded.event_count"""
                : """
                merge into message_stat t
                using (values (cast(? as uuid), cast(? as uuid), cast(? as timestamp with time zone),
                               cast(? as varchar(12)), cast(? as smallint), cast(? as bigint)))
                    s (account_id, api_key_id, hour_start, event_type, shard, event_count)
                on t.account_id = s.account_id and t.hour_start = s.hour_start and t.api_key_id = s.api_key_id
                   and t.event_type = s.event_type and t.shard = s.shard
                when matched then update set event_count = t.event_count + s.event_count
                when not matched then insert (account_id, api_key_id, hour_start, event_type, shard, event_count)
                    values (s.account_id, s.api_key_id, s.hour_start, s.event_type, s.shard, s.event_count)""";
    }

    /** One hour's count of one event type, for an account (and a key, when asked by key). */
    public record HourlyCount(Instant hour, String type, long count) {
    }

    private record Key(UUID account, UUID apiKey, Instant hour, String type) {
        static final Comparator<Key> ORDER = Comparator.comparing(Key::account).thenComparing(Key::hour)
                .thenComparing(Key::apiKey).thenComparing(Key::type);
    }

    /** Adds the events to their hours, in the caller's transaction. */
    void count(List<MessageEvents.Event> events, Instant at) {
        Instant hour = at.truncatedTo(ChronoUnit.HOURS);
        Map<Key, Long> counts = new TreeMap<>(Key.ORDER);
        for (MessageEvents.Event event : events) {
            counts.merge(new Key(event.account().value(), event.apiKeyId() == null ? NO_KEY : event.apiKeyId(), hour,
                    event.type().name()), 1L, Long::sum);
        }
        // One shard for the whole transaction: its rows are still locked in one order, so no deadlock.
        short shard = (short) java.util.concurrent.ThreadLocalRandom.current().nextInt(SHARDS);
        List<Object[]> rows = new ArrayList<>(counts.size());
        counts.forEach((key, count) -> rows.add(
                new Object[] {key.account(), key.apiKey(), Times.sql(key.hour()), key.type(), shard, count}));
        if (postgres) {
            SqlBatches.run(jdbcTemplate, upsert, rows);
            return;
        }
        for (Object[] row : rows) {
            try {
                jdbcTemplate.update(upsert, row);
            } catch (DuplicateKeyException raced) {
                // H2's MERGE is not atomic: another transaction inserted the row between its look and its insert.
                // (On H2 a failed statement leaves the transaction usable.)
                jdbcTemplate.update("""
                        update message_stat set event_count = event_count + ?
                        where account_id = ? and api_key_id = ? and hour_start = ? and event_type = ? and shard = ?""",
                        row[5], row[0], row[1], row[2], row[3], row[4]);
            }
        }
    }

    /** The event types a report always carries, zero or not, in the order charts stack them. */
    public static final List<String> REPORTED = java.util.stream.Stream.of(OutcomeType.ACCEPTED, OutcomeType.DELIVERED,
            OutcomeType.DEFERRED, OutcomeType.BOUNCED, OutcomeType.COMPLAINED, OutcomeType.SUPPRESSED, OutcomeType.FAILED)
            .map(OutcomeType::name).toList();

    /** One hour of a report: the count of each reported event type. */
    public record Hour(Instant hour, Map<String, Long> counts) {
    }

    /** Every hour of a range, gaps filled with zeros, and the range's totals. */
    public record Report(Instant from, Instant to, String apiKeyId, List<Hour> hours, Map<String, Long> totals) {
    }

    /** {@link #hourly} as a report: one entry per hour of the range, each with every reported type. */
    public Report report(AccountId account, UUID apiKey, Instant from, Instant to) {
        List<HourlyCount> counts = hourly(account, apiKey, from, to);
        Map<Instant, Map<String, Long>> byHour = new TreeMap<>();
        Instant start = from.truncatedTo(ChronoUnit.HOURS);
        for (Instant hour = start; hour.isBefore(to); hour = hour.plus(1, ChronoUnit.HOURS)) {
            byHour.put(hour, zeros());
        }
        Map<String, Long> totals = zeros();
        for (HourlyCount count : counts) {
            if (REPORTED.contains(count.type())) {
                byHour.computeIfAbsent(count.hour(), h -> zeros()).merge(count.type(), count.count(), Long::sum);
                totals.merge(count.type(), count.count(), Long::sum);
            }
        }
        List<Hour> hours = new ArrayList<>(byHour.size());
        byHour.forEach((hour, perType) -> hours.add(new Hour(hour, perType)));
        return new Report(start, to, apiKey == null ? null : apiKey.toString(), hours, totals);
    }

    /** One calendar day of the reader's zone: its span (23 to 25 hours) and the count of each reported type. */
    public record Day(LocalDate date, Instant from, Instant to, Map<String, Long> counts) {

        /** The day as the dashboard and {@code GET /api/v1/statistics} show it. */
        public DayTotals totals() {
            return new DayTotals(date, from, to, counts.getOrDefault(OutcomeType.ACCEPTED.name(), 0L),
                    counts.getOrDefault(OutcomeType.DELIVERED.name(), 0L),
                    counts.getOrDefault(OutcomeType.BOUNCED.name(), 0L),
                    counts.getOrDefault(OutcomeType.COMPLAINED.name(), 0L));
        }
    }

    /** A day's messages sent (accepted) and recipients delivered, bounced and complained. */
    public record DayTotals(LocalDate date, Instant from, Instant to, long sent, long delivered, long bounced,
            long complained) {
    }

    /**
     * The last {@code days} calendar days of {@code zone}, the day of {@code now} last, every day listed
     * (zeros included); all keys together or one key's. A message counts on the day of the reader's
     * calendar it happened in: sent at 23:30 on Monday in New York, it is Monday's there and Tuesday's
     * in UTC. The counts are kept by UTC hour, which every whole-hour zone divides exactly (the day of a
     * clock change included); in a zone with a half-hour offset an hour that straddles midnight counts in
     * the day it starts in.
     */
    public List<Day> daily(AccountId account, UUID apiKey, ZoneId zone, int days, Instant now) {
        LocalDate today = now.atZone(zone).toLocalDate();
        LocalDate first = today.minusDays(days - 1L);
        Map<LocalDate, Map<String, Long>> byDay = new TreeMap<>();
        for (LocalDate day = first; !day.isAfter(today); day = day.plusDays(1)) {
            byDay.put(day, zeros());
        }
        for (HourlyCount count : hourly(account, apiKey, TimeZones.startOf(first, zone), TimeZones.endOf(today, zone))) {
            Map<String, Long> day = byDay.get(count.hour().atZone(zone).toLocalDate());
            if (day != null && REPORTED.contains(count.type())) {
                day.merge(count.type(), count.count(), Long::sum);
            }
        }
        List<Day> result = new ArrayList<>(byDay.size());
        byDay.forEach((day, counts) -> result.add(new Day(day, TimeZones.startOf(day, zone), TimeZones.endOf(day, zone),
                counts)));
        return result;
    }

    /** The periods the dashboard and {@code GET /api/v1/statistics} report, by code. */
    public enum Period {
        LAST_24H("24h", Duration.ofHours(24)), LAST_7D("7d", Duration.ofDays(7)), LAST_30D("30d", Duration.ofDays(30));

        private final String code;
        private final Duration length;

        Period(String code, Duration length) {
            this.code = code;
            this.length = length;
        }

        public String code() {
            return code;
        }

        /**
         * The period's first hour, for a period that ends with the hour of {@code now}: the counts
         * are hourly, so "the last 24 hours" are the 24 hours up to the end of this one, as the
         * reputation windows count them.
         */
        public Instant from(Instant now) {
            return end(now).minus(length);
        }

        /** The end of the hour of {@code now}: the exclusive end of every period. */
        public static Instant end(Instant now) {
            return now.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
        }
    }

    /**
     * What the dashboard shows of one period: messages sent (accepted), and what became of their
     * recipients (delivered, bounced, complained).
     */
    public record PeriodTotals(String period, Instant from, Instant to, long sent, long delivered, long bounced,
            long complained) {

        static PeriodTotals of(Period period, Instant from, Instant to, Map<String, Long> totals) {
            return new PeriodTotals(period.code(), from, to, totals.getOrDefault(OutcomeType.ACCEPTED.name(), 0L),
                    totals.getOrDefault(OutcomeType.DELIVERED.name(), 0L),
                    totals.getOrDefault(OutcomeType.BOUNCED.name(), 0L),
                    totals.getOrDefault(OutcomeType.COMPLAINED.name(), 0L));
        }

        /** Bounced and complained recipients per hundred that reached an end (delivered or bounced). */
        public double troubleRate() {
            long ended = delivered + bounced;
            return ended == 0 ? 0 : (bounced + complained) * 100.0 / ended;
        }
    }

    /**
     * The account's totals over each {@link Period}, all keys together: one query over the longest
     * period, summed into the shorter ones, so the three figures are read at the same instant.
     */
    public Map<String, PeriodTotals> summary(AccountId account, Instant now) {
        return summaries(List.of(account), now).get(account);
    }

    /**
     * {@link #summary} of several accounts (a master's sub-accounts) in one query; an account that
     * sent nothing has zeros.
     */
    public Map<AccountId, Map<String, PeriodTotals>> summaries(java.util.Collection<AccountId> accounts, Instant now) {
        Instant end = Period.end(now);
        Instant longest = Period.LAST_30D.from(now);
        Map<AccountId, Map<Period, Map<String, Long>>> sums = new java.util.LinkedHashMap<>();
        for (AccountId account : accounts) {
            Map<Period, Map<String, Long>> perPeriod = new java.util.EnumMap<>(Period.class);
            for (Period period : Period.values()) {
                perPeriod.put(period, zeros());
            }
            sums.put(account, perPeriod);
        }
        List<AccountId> all = List.copyOf(accounts);
        // A few hundred ids a statement: a master's thousands of sub-accounts stay under the drivers' parameter limits.
        for (int first = 0; first < all.size(); first += 500) {
            List<AccountId> chunk = all.subList(first, Math.min(all.size(), first + 500));
            List<Object> params = new ArrayList<>(chunk.stream().map(a -> (Object) a.value()).toList());
            params.add(Times.sql(longest));
            params.add(Times.sql(end));
            jdbc.sql("select account_id, hour_start, event_type, sum(event_count) as total from message_stat"
                    + " where account_id in (" + io.mailtree.shared.SqlLists.placeholders(chunk.size()) + ")"
                    + " and hour_start >= ? and hour_start < ? group by account_id, hour_start, event_type")
                    .params(params).query(rs -> {
                        AccountId account = new AccountId(rs.getObject("account_id", UUID.class));
                        Instant hour = Times.instant(rs, "hour_start");
                        String type = rs.getString("event_type");
                        long total = rs.getLong("total");
                        Map<Period, Map<String, Long>> perPeriod = sums.get(account);
                        if (perPeriod == null || !REPORTED.contains(type)) {
                            return;
                        }
                        for (Period period : Period.values()) {
                            if (!hour.isBefore(period.from(now))) {
                                perPeriod.get(period).merge(type, total, Long::sum);
                            }
                        }
                    });
        }
        Map<AccountId, Map<String, PeriodTotals>> result = new java.util.LinkedHashMap<>();
        sums.forEach((account, perPeriod) -> {
            Map<String, PeriodTotals> totals = new java.util.LinkedHashMap<>();
            perPeriod.forEach((period, counts) -> totals.put(period.code(),
                    PeriodTotals.of(period, period.from(now), end, counts)));
            result.put(account, totals);
        });
        return result;
    }

    private static Map<String, Long> zeros() {
        Map<String, Long> zeros = new java.util.LinkedHashMap<>();
        REPORTED.forEach(type -> zeros.put(type, 0L));
        return zeros;
    }

    /**
     * The hourly counts of an account between two instants (whole hours, at most 93 days), all keys
     * together or one key's ({@link #NO_KEY} for mail sent without one), oldest first.
     */
    public List<HourlyCount> hourly(AccountId account, UUID apiKey, Instant from, Instant to) {
        if (from == null || to == null || !from.isBefore(to)) {
            throw DomainProblem.invalid("invalid_range", "from must be before to");
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw DomainProblem.invalid("range_too_long", "at most 93 days at a time");
        }
        Instant start = from.truncatedTo(ChronoUnit.HOURS);
        if (apiKey == null) {
            return jdbc.sql("""
                    select hour_start, event_type, sum(event_count) as total from message_stat
                    where account_id = ? and hour_start >= ? and hour_start < ?
                    group by hour_start, event_type order by hour_start, event_type""")
                    .params(account.value(), Times.sql(start), Times.sql(to))
                    .query((rs, n) -> new HourlyCount(Times.instant(rs, "hour_start"), rs.getString("event_type"),
                            rs.getLong("total")))
                    .list();
        }
        return jdbc.sql("""
                select hour_start, event_type, sum(event_count) as total from message_stat
                where account_id = ? and api_key_id = ? and hour_start >= ? and hour_start < ?
                group by hour_start, event_type order by hour_start, event_type""")
                .params(account.value(), apiKey, Times.sql(start), Times.sql(to))
                .query((rs, n) -> new HourlyCount(Times.instant(rs, "hour_start"), rs.getString("event_type"),
                        rs.getLong("total")))
                .list();
    }
}
