package io.mailtree.billing;

import io.mailtree.notifications.SystemMail;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.AccountNames;
import io.mailtree.shared.AccountOwners;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Permission;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The alerts of D-31: when the tree's credits, or a sub-account's monthly cap, reach 80 % and then
 * 100 % of their limit, the master is told once per crossing: a row (the banner of the billing
 * pages, for seven days) and an e-mail to the master's owner. Where each counter stands is kept
 * ({@code billing_alert_state}); an alert is raised only when that goes up past a mark, so mail that
 * keeps coming raises nothing more, and a new period or a top-up that brings the counter back below
 * a mark lets the next crossing alert again. Judged after each metering batch, off the accept path.
 */
@Service
public class UsageAlerts {

    public static final Duration BANNER = Duration.ofDays(7);
    static final int[] MARKS = {80, 100};

    /** One alert, with its numbers. */
    public record Alert(long id, AccountId master, AccountId account, String scope, int level, long used, long limit,
            Instant raisedAt, String accountName) {

        Alert named(String name) {
            return new Alert(id, master, account, scope, level, used, limit, raisedAt, name);
        }
    }

    private final JdbcClient jdbc;
    private final AccountOwners owners;
    private final AccountNames names;
    private final SystemMail mail;
    private final MessageSource messages;
    private final Clock clock;

    UsageAlerts(JdbcClient jdbc, AccountOwners owners, AccountNames names, SystemMail mail, MessageSource messages,
            Clock clock) {
        this.jdbc = jdbc;
        this.owners = owners;
        this.names = names;
        this.mail = mail;
        this.messages = messages;
        this.clock = clock;
    }

    static int level(long used, Long limit) {
        if (limit == null) {
            return 0;
        }
        if (used >= limit) {
            return 100;
        }
        return used * 100 >= limit * 80L ? 80 : 0;
    }

    private record Counter(AccountId master, AccountId account, String scope, LocalDate period, long used, Long limit) {
    }

    /** Judges the credits of {@code masters} and the caps of {@code senders}, in the caller's transaction. */
    void judge(Collection<AccountId> masters, Collection<AccountId> senders) {
        List<Counter> counters = new ArrayList<>();
        if (!masters.isEmpty()) {
            List<Object> ids = new ArrayList<>(masters.stream().map(a -> (Object) a.value()).toList());
            jdbc.sql("select account_id, period_start, used, credit_limit from billing_credit where account_id in ("
                    + SqlLists.placeholders(ids.size()) + ")").params(ids)
                    .query(rs -> {
                        AccountId id = new AccountId(rs.getObject(1, UUID.class));
                        counters.add(new Counter(id, id, "CREDITS", rs.getObject(2, LocalDate.class), rs.getLong(3),
                                (Long) rs.getObject(4, Long.class)));
                    });
        }
        List<Object> subs = new ArrayList<>(senders.stream().filter(s -> !masters.contains(s))
                .map(a -> (Object) a.value()).toList());
        if (!subs.isEmpty()) {
            jdbc.sql("select account_id, master_id, period_start, used, monthly_cap from billing_account_usage"
                    + " where monthly_cap is not null and account_id in (" + SqlLists.placeholders(subs.size()) + ")")
                    .params(subs)
                    .query(rs -> {
                        counters.add(new Counter(new AccountId(rs.getObject(2, UUID.class)),
                                new AccountId(rs.getObject(1, UUID.class)), "CAP", rs.getObject(3, LocalDate.class),
                                rs.getLong(4), (Long) rs.getObject(5, Long.class)));
                    });
        }
        if (counters.isEmpty()) {
            return;
        }
        Map<String, int[]> states = new HashMap<>();
        List<Object> ids = new ArrayList<>(counters.stream().map(c -> (Object) c.account().value()).distinct().toList());
        Map<String, LocalDate> statePeriods = new HashMap<>();
        jdbc.sql("select account_id, scope, level, period_start from billing_alert_state where account_id in ("
                + SqlLists.placeholders(ids.size()) + ")").params(ids)
                .query(rs -> {
                    String key = rs.getObject(1, UUID.class) + "/" + rs.getString(2);
                    states.put(key, new int[] {rs.getInt(3)});
                    statePeriods.put(key, rs.getObject(4, LocalDate.class));
                });
        Instant now = clock.instant();
        for (Counter counter : counters) {
            String key = counter.account().value() + "/" + counter.scope();
            int now_ = level(counter.used(), counter.limit());
            int[] state = states.get(key);
            int before = state == null || !counter.period().equals(statePeriods.get(key)) ? 0 : state[0];
            if (now_ == before && state != null && counter.period().equals(statePeriods.get(key))) {
                continue;
            }
            for (int mark : MARKS) {
                if (mark > before && mark <= now_) {
                    raise(counter, mark, now);
                }
            }
            if (state == null) {
                jdbc.sql("insert into billing_alert_state (account_id, scope, level, period_start) values (?, ?, ?, ?)")
                        .params(counter.account().value(), counter.scope(), now_, counter.period()).update();
            } else {
                jdbc.sql("update billing_alert_state set level = ?, period_start = ? where account_id = ? and scope = ?")
                        .params(now_, counter.period(), counter.account().value(), counter.scope()).update();
            }
        }
    }

    private void raise(Counter counter, int mark, Instant now) {
        jdbc.sql("""
                insert into billing_alert (master_id, account_id, scope, level, used, credit_limit, period_start, raised_at)
                values (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(counter.master().value(), counter.account().value(), counter.scope(), mark, counter.used(),
                        counter.limit(), counter.period(), Times.sql(now))
                .update();
        Optional<String> owner = owners.ownerEmail(counter.master());
        if (owner.isEmpty()) {
            return;
        }
        String name = names.namesOf(List.of(counter.account())).getOrDefault(counter.account(), "?");
        Object[] args = {name, mark, counter.used(), counter.limit(), "CAP".equals(counter.scope()) ? 1 : 0};
        mail.send(owner.get(), messages.getMessage("mail.billingAlert.subject", args, Locale.ENGLISH),
                messages.getMessage("mail.billingAlert.body", args, Locale.ENGLISH));
    }

    private static final String SELECT = """
            select id, master_id, account_id, scope, level, used, credit_limit, raised_at from billing_alert""";

    private static Alert alert(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Alert(rs.getLong(1), new AccountId(rs.getObject(2, UUID.class)),
                new AccountId(rs.getObject(3, UUID.class)), rs.getString(4), rs.getInt(5), rs.getLong(6), rs.getLong(7),
                Times.instant(rs, "raised_at"), null);
    }

    private List<Alert> named(List<Alert> alerts) {
        if (alerts.isEmpty()) {
            return alerts;
        }
        Map<AccountId, String> found = names.namesOf(alerts.stream().map(Alert::account).distinct().toList());
        return alerts.stream().map(a -> a.named(found.getOrDefault(a.account(), "?"))).toList();
    }

    /**
     * The alerts the caller's banner shows: a master's whole tree, a sub-account its own cap's; only
     * to someone with the BILLING permission, raised in the last seven days, newest first.
     */
    public List<Alert> banner(Caller caller) {
        if (caller == null || !caller.has(Permission.BILLING)) {
            return List.of();
        }
        Instant since = clock.instant().minus(BANNER);
        String where = caller.master() ? " where master_id = ?" : " where account_id = ?";
        return named(jdbc.sql(SELECT + where + " and raised_at >= ? order by raised_at desc, id desc limit 3")
                .params(caller.accountId().value(), Times.sql(since)).query(UsageAlerts::alert).list());
    }

    /** The alerts of a tree, newest first. */
    public List<Alert> ofTree(AccountId master, int limit) {
        return named(jdbc.sql(SELECT + " where master_id = ? order by raised_at desc, id desc limit ?")
                .params(master.value(), limit).query(UsageAlerts::alert).list());
    }
}
