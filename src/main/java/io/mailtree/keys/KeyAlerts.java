package io.mailtree.keys;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.notifications.SystemMail;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.AccountOwners;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Times;
import io.mailtree.tracking.WebhookEventTypes;
import io.mailtree.tracking.Webhooks;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * D-19's alerts. After each batch of outcomes the judge compares every key the batch touched with
 * the thresholds, over the judged window and only once the key sent the minimum volume in it. A key
 * stands above or below each threshold ({@code key_threshold_state}); an alert is raised only when
 * that goes from below to above, so a key that stays above raises nothing more however much mail
 * follows (once per crossing, not once per message). An alert is a row with the numbers that
 * triggered it (shown to the account, its master and the operator), an e-mail to the owner of the
 * key's account and of its master, a {@code key.warned} or {@code key.paused} webhook event to both
 * accounts' endpoints, and, for a pause threshold, the key's pause.
 */
@Service
public class KeyAlerts {

    /** How long an alert stays in the account's banner. */
    public static final Duration BANNER = Duration.ofDays(7);

    /** One alert, with the numbers that triggered it. */
    public record Alert(long id, AccountId account, AccountId master, UUID keyId, String keyName, String thresholdCode,
            ReputationMetric metric, ReputationThresholds.Action action, BigDecimal thresholdPercent,
            BigDecimal ratePercent, long numerator, long denominator, int windowHours, Instant raisedAt) {

        public boolean paused() {
            return action == ReputationThresholds.Action.PAUSE;
        }
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final ReputationCounts counts;
    private final ReputationThresholds thresholds;
    private final KeyPauses pauses;
    private final AccountTree accounts;
    private final AccountOwners owners;
    private final SystemMail mail;
    private final MessageSource messages;
    private final Webhooks webhooks;
    private final Clock clock;

    KeyAlerts(JdbcClient jdbc, JdbcTemplate jdbcTemplate, ReputationCounts counts, ReputationThresholds thresholds,
            KeyPauses pauses, AccountTree accounts, AccountOwners owners, SystemMail mail, MessageSource messages,
            Webhooks webhooks, Clock clock) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.counts = counts;
        this.thresholds = thresholds;
        this.pauses = pauses;
        this.accounts = accounts;
        this.owners = owners;
        this.mail = mail;
        this.messages = messages;
        this.webhooks = webhooks;
        this.clock = clock;
    }

    /** The first hour of a window of {@code hours} hours that ends with the hour of {@code now}. */
    static Instant windowStart(Instant now, int hours) {
        return now.truncatedTo(ChronoUnit.HOURS).minus(hours - 1L, ChronoUnit.HOURS);
    }

    /**
     * Judges the keys against the thresholds and raises an alert for each crossing, in the caller's
     * transaction (the consumer's batch). A few statements for the whole batch: the settings, the
     * window totals, the states; then one write per state that changed and per alert.
     */
    void judge(Collection<KeyLookup.Key> keys, Instant now) {
        if (keys.isEmpty()) {
            return;
        }
        ReputationThresholds.Settings settings = thresholds.settings();
        Map<UUID, ReputationTotals> totals = counts.totalsSince(
                keys.stream().map(k -> new ReputationCounts.KeyRef(k.account(), k.id())).toList(),
                windowStart(now, settings.windowHours()));
        Map<String, Boolean> states = new HashMap<>();
        List<Object> ids = new ArrayList<>(keys.stream().map(k -> (Object) k.id()).toList());
        jdbc.sql("select api_key_id, threshold_code, above from key_threshold_state where api_key_id in ("
                + io.mailtree.shared.SqlLists.placeholders(ids.size()) + ")")
                .params(ids).query(rs -> {
                    states.put(rs.getObject(1, UUID.class) + "/" + rs.getString(2), rs.getBoolean(3));
                });
        List<Object[]> inserts = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        for (KeyLookup.Key key : keys) {
            ReputationTotals total = totals.getOrDefault(key.id(), ReputationTotals.NONE);
            boolean judged = total.sent() >= settings.minimumVolume();
            for (ReputationThresholds.Threshold threshold : settings.thresholds()) {
                double rate = total.rate(threshold.metric());
                boolean above = judged && rate >= threshold.ratePercent().doubleValue();
                Boolean before = states.get(key.id() + "/" + threshold.code());
                if (before == null) {
                    inserts.add(new Object[] {key.id(), threshold.code(), above, Times.sql(now)});
                } else if (before != above) {
                    updates.add(new Object[] {above, Times.sql(now), key.id(), threshold.code()});
                }
                if (above && !Boolean.TRUE.equals(before)) {
                    raise(key, threshold, total, rate, settings.windowHours(), now);
                }
            }
        }
        if (!inserts.isEmpty()) {
            jdbcTemplate.batchUpdate("insert into key_threshold_state (api_key_id, threshold_code, above, changed_at)"
                    + " values (?, ?, ?, ?)", inserts);
        }
        if (!updates.isEmpty()) {
            jdbcTemplate.batchUpdate("update key_threshold_state set above = ?, changed_at = ? where api_key_id = ?"
                    + " and threshold_code = ?", updates);
        }
    }

    private void raise(KeyLookup.Key key, ReputationThresholds.Threshold threshold, ReputationTotals total, double rate,
            int windowHours, Instant now) {
        Account account = accounts.require(key.account());
        AccountId master = account.rootId();
        BigDecimal ratePercent = BigDecimal.valueOf(rate).setScale(4, RoundingMode.HALF_UP);
        long numerator = total.numerator(threshold.metric());
        long denominator = total.denominator(threshold.metric());
        var keyHolder = new org.springframework.jdbc.support.GeneratedKeyHolder();
        jdbc.sql("""
                insert into key_alert (account_id, master_id, api_key_id, key_name, threshold_code, metric, action,
                    threshold_percent, rate_percent, numerator, denominator, window_hours, raised_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(key.account().value(), master.value(), key.id(), key.name(), threshold.code(),
                        threshold.metric().name(), threshold.action().name(), threshold.ratePercent(), ratePercent,
                        numerator, denominator, windowHours, Times.sql(now))
                .update(keyHolder, "id");
        long id = keyHolder.getKeyAs(Number.class).longValue();
        if (threshold.action() == ReputationThresholds.Action.PAUSE) {
            pauses.pause(key.id(), key.account(), id, now);
        }
        Set<String> recipients = new LinkedHashSet<>();
        owners.ownerEmail(key.account()).ifPresent(recipients::add);
        owners.ownerEmail(master).ifPresent(recipients::add);
        Object[] args = {key.name(), account.name(), metricName(threshold.metric()), ratePercent.stripTrailingZeros()
                .toPlainString(), threshold.ratePercent().toPlainString(), numerator, denominator, windowHours,
                threshold.action() == ReputationThresholds.Action.PAUSE ? 1 : 0};
        String subject = messages.getMessage("mail.keyAlert.subject", args, Locale.ENGLISH);
        String body = messages.getMessage("mail.keyAlert.body", args, Locale.ENGLISH);
        for (String recipient : recipients) {
            mail.send(recipient, subject, body);
        }
        // The webhook event, to the key's account and to its master, enqueued in this transaction.
        Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("alertId", id);
        data.put("apiKeyId", key.id().toString());
        data.put("keyName", key.name());
        data.put("accountId", key.account().toString());
        data.put("threshold", threshold.code());
        data.put("metric", threshold.metric().name());
        data.put("action", threshold.action().name());
        data.put("thresholdPercent", threshold.ratePercent());
        data.put("ratePercent", ratePercent);
        data.put("count", numerator);
        data.put("outOf", denominator);
        data.put("windowHours", windowHours);
        String type = threshold.action() == ReputationThresholds.Action.PAUSE ? WebhookEventTypes.KEY_PAUSED
                : WebhookEventTypes.KEY_WARNED;
        webhooks.publish(key.account(), type, data);
        if (!master.equals(key.account())) {
            webhooks.publish(master, type, data);
        }
    }

    private String metricName(ReputationMetric metric) {
        return messages.getMessage("reputation.metric." + metric.name(), null, Locale.ENGLISH);
    }

    // --- reading --------------------------------------------------------------------------------

    private static final String SELECT = """
            select id, account_id, master_id, api_key_id, key_name, threshold_code, metric, action, threshold_percent,
                rate_percent, numerator, denominator, window_hours, raised_at from key_alert""";

    private static Alert alert(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Alert(rs.getLong("id"), new AccountId(rs.getObject("account_id", UUID.class)),
                new AccountId(rs.getObject("master_id", UUID.class)), rs.getObject("api_key_id", UUID.class),
                rs.getString("key_name"), rs.getString("threshold_code"), ReputationMetric.valueOf(rs.getString("metric")),
                ReputationThresholds.Action.valueOf(rs.getString("action")),
                rs.getBigDecimal("threshold_percent").stripTrailingZeros(),
                rs.getBigDecimal("rate_percent").stripTrailingZeros(), rs.getLong("numerator"),
                rs.getLong("denominator"), rs.getInt("window_hours"), Times.instant(rs, "raised_at"));
    }

    /**
     * The alerts the caller's account should see in its banner: its own keys' for a sub-account, and
     * for a master also every sub-account's, raised in the last seven days, newest first.
     */
    public List<Alert> banner(Caller caller) {
        Instant since = clock.instant().minus(BANNER);
        if (caller.master()) {
            return jdbc.sql(SELECT + " where master_id = ? and raised_at >= ? order by raised_at desc, id desc limit 5")
                    .params(caller.accountId().value(), Times.sql(since)).query(KeyAlerts::alert).list();
        }
        return jdbc.sql(SELECT + " where account_id = ? and raised_at >= ? order by raised_at desc, id desc limit 5")
                .params(caller.accountId().value(), Times.sql(since)).query(KeyAlerts::alert).list();
    }

    /** One key's alerts, newest first (the caller has checked the key is visible to it). */
    public List<Alert> ofKey(AccountId account, UUID key, int limit) {
        return jdbc.sql(SELECT + " where account_id = ? and api_key_id = ? order by raised_at desc, id desc limit ?")
                .params(account.value(), key, limit).query(KeyAlerts::alert).list();
    }

    /** The latest alerts of the whole installation, for the operator console. */
    public List<Alert> latest(int limit) {
        return jdbc.sql(SELECT + " order by raised_at desc, id desc limit ?").param(limit).query(KeyAlerts::alert)
                .list();
    }

    /** The alert of this id, if any. */
    public java.util.Optional<Alert> find(long id) {
        return jdbc.sql(SELECT + " where id = ?").param(id).query(KeyAlerts::alert).optional();
    }
}
