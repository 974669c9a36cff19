package io.mailtree.billing;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.shared.outcomes.OutcomeConsumer;
import io.mailtree.shared.outcomes.OutcomeType;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * D-31's meter, a consumer of the delivery outcome stream (ADR 0010, ADR 0028): a message counts
 * once against its master, attributed to the account and key that sent it, the first time the relay
 * takes it ({@code DELIVERED} for any of its recipients). Which messages were counted is kept
 * ({@code billing_metered_message}, keyed by the message id) in the transaction that moves the
 * consumer's position, so a replayed batch, a duplicated event or a second recipient of the same
 * message counts nothing: the figures are exact under retries and restarts. Three statements a
 * batch: which of its messages were counted before, the new ones, the sums.
 */
@Component
class Metering implements OutcomeConsumer {

    static final String NAME = "billing.metering";
    /** The key column of mail sent from the pages, which has none. */
    static final UUID NO_KEY = new UUID(0, 0);

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final Credits credits;
    private final UsageAlerts alerts;
    private final String upsert;

    Metering(JdbcClient jdbc, JdbcTemplate jdbcTemplate, Credits credits, UsageAlerts alerts, DatabaseKind database) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.credits = credits;
        this.alerts = alerts;
        this.upsert = database.isPostgres() ? """
                insert into billing_usage (account_id, period_start, sender_id, api_key_id, sent) values (?, ?, ?, ?, ?)
                on conflict (account_id, period_start, sender_id, api_key_id) do update
                    set sent = billing_usage.sent + excluded.sent"""
                : """
                merge into billing_usage t
                using (values (cast(? as uuid), cast(? as date), cast(? as uuid), cast(? as uuid), cast(? as bigint)))
                    s (account_id, period_start, sender_id, api_key_id, sent)
                on t.account_id = s.account_id and t.period_start = s.period_start and t.sender_id = s.sender_id
                    and t.api_key_id = s.api_key_id
                when matched then update set sent = t.sent + s.sent
                when not matched then insert (account_id, period_start, sender_id, api_key_id, sent)
                    values (s.account_id, s.period_start, s.sender_id, s.api_key_id, s.sent)""";
    }

    @Override
    public String name() {
        return NAME;
    }

    private record Usage(AccountId master, LocalDate period, AccountId sender, UUID key) {
    }

    @Override
    public void apply(List<Outcome> outcomes) {
        Map<Long, Outcome> firstTaken = new LinkedHashMap<>();
        for (Outcome outcome : outcomes) {
            if (outcome.type() == OutcomeType.DELIVERED) {
                firstTaken.putIfAbsent(outcome.messageId(), outcome);
            }
        }
        if (firstTaken.isEmpty()) {
            return;
        }
        Set<Long> counted = new HashSet<>();
        List<Long> ids = new ArrayList<>(firstTaken.keySet());
        for (int from = 0; from < ids.size(); from += 1000) {
            List<Object> chunk = new ArrayList<>(ids.subList(from, Math.min(ids.size(), from + 1000)));
            jdbc.sql("select message_id from billing_metered_message where message_id in ("
                    + SqlLists.placeholders(chunk.size()) + ")").params(chunk)
                    .query(rs -> {
                        counted.add(rs.getLong(1));
                    });
        }
        List<Object[]> metered = new ArrayList<>();
        // Sorted, so two nodes (or a replay) touch the sums' rows in one order.
        Map<String, Long> sums = new TreeMap<>();
        Map<String, Usage> usages = new LinkedHashMap<>();
        Set<AccountId> masters = new HashSet<>();
        Set<AccountId> senders = new HashSet<>();
        for (Outcome outcome : firstTaken.values()) {
            if (counted.contains(outcome.messageId())) {
                continue;
            }
            AccountId master;
            try {
                master = credits.masterOf(outcome.account());
            } catch (RuntimeException gone) {
                continue; // an account that no longer exists cannot be billed; skip rather than stall
            }
            LocalDate period = BillingPeriod.of(outcome.occurredAt()).start();
            metered.add(new Object[] {outcome.messageId(), master.value(), period});
            Usage usage = new Usage(master, period, outcome.account(),
                    outcome.apiKeyId() == null ? NO_KEY : outcome.apiKeyId());
            String key = usage.master() + "/" + usage.period() + "/" + usage.sender() + "/" + usage.key();
            usages.putIfAbsent(key, usage);
            sums.merge(key, 1L, Long::sum);
            masters.add(master);
            senders.add(outcome.account());
        }
        if (metered.isEmpty()) {
            return;
        }
        jdbcTemplate.batchUpdate("insert into billing_metered_message (message_id, account_id, period_start) values (?, ?, ?)",
                metered);
        List<Object[]> rows = new ArrayList<>(sums.size());
        sums.forEach((key, sent) -> {
            Usage usage = usages.get(key);
            rows.add(new Object[] {usage.master().value(), usage.period(), usage.sender().value(), usage.key(), sent});
        });
        jdbcTemplate.batchUpdate(upsert, rows);
        alerts.judge(masters, senders);
    }
}
