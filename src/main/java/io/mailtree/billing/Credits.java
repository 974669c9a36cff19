package io.mailtree.billing;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.MasterPlanChanged;
import io.mailtree.accounts.Plan;
import io.mailtree.accounts.PlanKind;
import io.mailtree.audit.AuditLog;
import io.mailtree.delivery.SendingAllowance;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * D-31's credits, reserved at accept. A tree's credits are one row per master
 * ({@code billing_credit}) and each account's share of the period is one row of its own
 * ({@code billing_account_usage}, with the master's optional monthly cap). A call that accepts
 * {@code n} messages runs two conditional updates in its own transaction, the account's row first
 * and then the master's (one lock order everywhere, so no deadlock): {@code used = used + n where
 * used + n <= limit}. Concurrent accepts serialise on the rows for the few microseconds to their
 * commit and can never overshoot; a rollback gives the reservation back. Only when an update
 * matches nothing does the slow path lock the row and see why: a new period (the counters renew,
 * a waiting downgrade starts), or credits truly exhausted, which refuses the call.
 *
 * <p>The unit is a message, as metering counts it (ADR 0028). The period is the calendar month, so
 * the hot path needs nothing but the clock.
 */
@Service
public class Credits implements SendingAllowance {

    private final JdbcClient jdbc;
    private final AccountTree accounts;
    private final PlanPrices prices;
    private final Subscriptions subscriptions;
    private final AuditLog audit;
    private final UsageAlerts alerts;
    private final Clock clock;
    private final boolean enabled;
    private final String insertAccountRow;
    private final String insertCreditRow;
    /** An account's master never changes (D-5), so it is read once per account. */
    private final Map<AccountId, AccountId> roots = new ConcurrentHashMap<>();
    /** Masters and accounts whose rows are known to exist (rows are never deleted), to skip the insert. */
    private final Set<AccountId> creditRows = ConcurrentHashMap.newKeySet();
    private final Set<AccountId> usageRows = ConcurrentHashMap.newKeySet();

    Credits(JdbcClient jdbc, AccountTree accounts, PlanPrices prices, Subscriptions subscriptions, AuditLog audit,
            UsageAlerts alerts, Clock clock, DatabaseKind database, @Value("${mailtree.billing.credits-check:true}") boolean enabled) {
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.prices = prices;
        this.subscriptions = subscriptions;
        this.audit = audit;
        this.alerts = alerts;
        this.clock = clock;
        this.enabled = enabled;
        if (database.isPostgres()) {
            insertAccountRow = """
                    insert into billing_account_usage (account_id, master_id, period_start, used, updated_at)
                    values (?, ?, ?, 0, ?) on conflict (account_id) do nothing""";
            insertCreditRow = """
                    insert into billing_credit (account_id, plan_code, period_start, credit_limit, used, prepaid, updated_at)
                    values (?, ?, ?, ?, 0, ?, ?) on conflict (account_id) do nothing""";
        } else {
            insertAccountRow = """
                    merge into billing_account_usage t
                    using (values (cast(? as uuid), cast(? as uuid), cast(? as date), cast(? as timestamp with time zone)))
                        s (account_id, master_id, period_start, updated_at) on t.account_id = s.account_id
                    when not matched then insert (account_id, master_id, period_start, used, updated_at)
                        values (s.account_id, s.master_id, s.period_start, 0, s.updated_at)""";
            insertCreditRow = """
                    merge into billing_credit t
                    using (values (cast(? as uuid), cast(? as varchar(40)), cast(? as date), cast(? as bigint),
                                   cast(? as boolean), cast(? as timestamp with time zone)))
                        s (account_id, plan_code, period_start, credit_limit, prepaid, updated_at)
                        on t.account_id = s.account_id
                    when not matched then insert (account_id, plan_code, period_start, credit_limit, used, prepaid, updated_at)
                        values (s.account_id, s.plan_code, s.period_start, s.credit_limit, 0, s.prepaid, s.updated_at)""";
        }
    }

    // --- the accept path ---------------------------------------------------------------------

    @Override
    public void reserve(AccountId account, int count) {
        if (!enabled || count <= 0) {
            return;
        }
        AccountId master = masterOf(account);
        LocalDate period = BillingPeriod.of(clock.instant()).start();
        ensureRows(account, master, period);
        if (jdbc.sql("""
                update billing_account_usage set used = used + ? where account_id = ? and period_start = ?
                    and (monthly_cap is null or used + ? <= monthly_cap)""")
                .params(count, account.value(), period, count).update() == 0) {
            slowAccount(account, master, period, count);
        }
        if (jdbc.sql("""
                update billing_credit set used = used + ? where account_id = ? and period_start = ?
                    and (credit_limit is null or used + ? <= credit_limit)""")
                .params(count, master.value(), period, count).update() == 0) {
            slowMaster(master, period, count);
        }
    }

    AccountId masterOf(AccountId account) {
        return roots.computeIfAbsent(account, accounts::rootOf);
    }

    private void ensureRows(AccountId account, AccountId master, LocalDate period) {
        if (!creditRows.contains(master)) {
            ensureCreditRow(master, period);
            creditRows.add(master);
        }
        if (!usageRows.contains(account)) {
            jdbc.sql(insertAccountRow).params(account.value(), master.value(), period, Times.sql(clock.instant()))
                    .update();
            usageRows.add(account);
        }
    }

    private void ensureCreditRow(AccountId master, LocalDate period) {
        Account account = accounts.require(master);
        Plan plan = accounts.planOf(account);
        boolean prepaid = plan.kind() == PlanKind.PAY_PER_SEND;
        Long limit = prepaid ? Long.valueOf(0) : prices.monthlyAllowance(plan);
        jdbc.sql(insertCreditRow).params(master.value(), plan.code(), period, limit, prepaid,
                Times.sql(clock.instant())).update();
    }

    private record Row(LocalDate periodStart, long used, Long limit, boolean prepaid, String plan) {
    }

    private void slowAccount(AccountId account, AccountId master, LocalDate period, int count) {
        // The row may be missing after all (its insert rolled back with an earlier call).
        jdbc.sql(insertAccountRow).params(account.value(), master.value(), period, Times.sql(clock.instant())).update();
        Row row = jdbc.sql("select period_start, used, monthly_cap from billing_account_usage where account_id = ?"
                + " for update").param(account.value())
                .query((rs, n) -> new Row(rs.getObject(1, LocalDate.class), rs.getLong(2),
                        (Long) rs.getObject(3, Long.class), false, null))
                .single();
        if (!row.periodStart().equals(period)) {
            // A new month: this account's share starts again from nothing.
            jdbc.sql("update billing_account_usage set period_start = ?, used = 0, updated_at = ? where account_id = ?")
                    .params(period, Times.sql(clock.instant()), account.value()).update();
            row = new Row(period, 0, row.limit(), false, null);
        }
        if (row.limit() != null && row.used() + count > row.limit()) {
            throw new CreditsExhausted(CreditsExhausted.Scope.CAP, count, row.used(), row.limit());
        }
        jdbc.sql("update billing_account_usage set used = used + ? where account_id = ?").params(count, account.value())
                .update();
    }

    private Row lockCredit(AccountId master) {
        return jdbc.sql("select period_start, used, credit_limit, prepaid, plan_code from billing_credit"
                + " where account_id = ? for update").param(master.value())
                .query((rs, n) -> new Row(rs.getObject(1, LocalDate.class), rs.getLong(2),
                        (Long) rs.getObject(3, Long.class), rs.getBoolean(4), rs.getString(5)))
                .single();
    }

    private void slowMaster(AccountId master, LocalDate period, int count) {
        ensureCreditRow(master, period);
        Row row = lockCredit(master);
        if (!row.periodStart().equals(period)) {
            renew(master, period);
            row = lockCredit(master);
        }
        if (row.limit() != null && row.used() + count > row.limit()) {
            throw new CreditsExhausted(CreditsExhausted.Scope.CREDITS, count, row.used(), row.limit());
        }
        jdbc.sql("update billing_credit set used = used + ? where account_id = ?").params(count, master.value())
                .update();
    }

    /**
     * The renewal, in the caller's transaction with the credit row locked: a waiting downgrade starts
     * (which moves the limit through {@link #on(MasterPlanChanged)}), a monthly allowance starts again
     * from nothing, prepaid credits carry over what is left.
     */
    private void renew(AccountId master, LocalDate period) {
        subscriptions.startPendingPlan(master, new BillingPeriod(period));
        Row row = lockCredit(master);
        if (row.prepaid()) {
            jdbc.sql("""
                    update billing_credit set credit_limit = credit_limit - used, used = 0, period_start = ?, updated_at = ?
                    where account_id = ?""").params(period, Times.sql(clock.instant()), master.value()).update();
        } else {
            Plan plan = accounts.planOf(accounts.require(master));
            jdbc.sql("""
                    update billing_credit set credit_limit = ?, used = 0, period_start = ?, updated_at = ?
                    where account_id = ?""")
                    .params(prices.monthlyAllowance(plan), period, Times.sql(clock.instant()), master.value()).update();
        }
    }

    /**
     * Brings the master's counters to the current period if it has not sent since the last one ended
     * (pages and invoices read figures of the current period).
     */
    @Transactional
    public void renewIfDue(AccountId master) {
        LocalDate period = BillingPeriod.of(clock.instant()).start();
        ensureCreditRow(master, period);
        Row row = lockCredit(master);
        if (!row.periodStart().equals(period)) {
            renew(master, period);
        }
    }

    /**
     * A plan change (the operator's or the master's upgrade, or a downgrade at renewal) moves the limit
     * now, in the change's transaction: a monthly plan gets its allowance, what was used this period
     * stays used; a move to PAY_PER_SEND starts with no credits left until a top-up.
     */
    @EventListener
    void on(MasterPlanChanged changed) {
        LocalDate period = BillingPeriod.of(clock.instant()).start();
        ensureCreditRow(changed.master(), period);
        Row row = lockCredit(changed.master());
        Plan plan = accounts.planOf(accounts.require(changed.master()));
        boolean prepaid = plan.kind() == PlanKind.PAY_PER_SEND;
        Long limit = prepaid ? (row.prepaid() ? row.limit() : Long.valueOf(row.used())) : prices.monthlyAllowance(plan);
        jdbc.sql("update billing_credit set plan_code = ?, prepaid = ?, credit_limit = ?, updated_at = ? where account_id = ?")
                .params(plan.code(), prepaid, limit, Times.sql(clock.instant()), changed.master().value()).update();
    }

    // --- the operator's top-up and the master's caps -------------------------------------------

    /** Adds prepaid credits to a PAY_PER_SEND master (the operator, or later a payment integration). */
    @Transactional
    public Status topUp(AccountId masterId, long credits, String operator, String address) {
        Account master = accounts.find(masterId).filter(Account::isMaster)
                .orElseThrow(() -> DomainProblem.notFound("master_not_found", "master"));
        if (credits <= 0 || credits > 100_000_000L) {
            throw DomainProblem.invalid("invalid_credits", "a top-up is 1 to 100,000,000 credits", 100_000_000)
                    .with("field", "credits");
        }
        renewIfDue(master.id());
        Row row = lockCredit(master.id());
        if (!row.prepaid()) {
            throw DomainProblem.conflict("not_a_prepaid_plan", "only a pay-per-send plan holds prepaid credits; "
                    + master.planCode() + " renews its allowance each month", master.planCode());
        }
        jdbc.sql("update billing_credit set credit_limit = credit_limit + ?, updated_at = ? where account_id = ?")
                .params(credits, Times.sql(clock.instant()), master.id().value()).update();
        jdbc.sql("insert into billing_top_up (account_id, credits, actor, created_at) values (?, ?, ?, ?)")
                .params(master.id().value(), credits, operator, Times.sql(clock.instant())).update();
        audit.recordOperator(operator, address, master.id(), master.id(), "billing.credits_topped_up",
                "credits=" + credits);
        // Back below a mark: the next crossing alerts again.
        alerts.judge(List.of(master.id()), List.of());
        return status(master.id());
    }

    /**
     * The master's monthly cap on one sub-account's share of its credits (null removes it). A cap below
     * what the sub-account already sent this month simply refuses its next send.
     */
    @Transactional
    public Long setCap(Caller caller, AccountId subId, Long cap) {
        Account master = accounts.master(caller);
        Account sub = accounts.subaccount(master.id(), subId);
        if (cap != null && (cap < 0 || cap > 1_000_000_000L)) {
            throw DomainProblem.invalid("invalid_cap", "a monthly cap is 0 to 1,000,000,000 e-mails", 1_000_000_000)
                    .with("field", "monthlyCap");
        }
        LocalDate period = BillingPeriod.of(clock.instant()).start();
        ensureRows(sub.id(), master.id(), period);
        jdbc.sql("update billing_account_usage set monthly_cap = ?, updated_at = ? where account_id = ?")
                .params(cap, Times.sql(clock.instant()), sub.id().value()).update();
        audit.record(caller, master.id(), sub.id(), "billing.cap_set", "account", sub.id().toString(),
                "monthlyCap=" + (cap == null ? "none" : cap));
        alerts.judge(List.of(), List.of(sub.id()));
        return cap;
    }

    // --- reading -----------------------------------------------------------------------------------

    /** The tree's credits now: the period, the limit (null: none), what is used and left. */
    public record Status(BillingPeriod period, String planCode, boolean prepaid, Long limit, long used) {

        public Long left() {
            return limit == null ? null : Math.max(0, limit - used);
        }

        /** Used over the limit, 0 … 100 (null without a limit). */
        public Integer percent() {
            return limit == null ? null : limit == 0 ? 100 : (int) Math.min(100, used * 100 / limit);
        }
    }

    @Transactional
    public Status status(AccountId master) {
        renewIfDue(master);
        return jdbc.sql("select period_start, plan_code, prepaid, credit_limit, used from billing_credit where account_id = ?")
                .param(master.value())
                .query((rs, n) -> new Status(new BillingPeriod(rs.getObject(1, LocalDate.class)), rs.getString(2),
                        rs.getBoolean(3), (Long) rs.getObject(4, Long.class), rs.getLong(5)))
                .single();
    }

    /** One account's share of the current period, accepted so far, and its cap. */
    public record Share(AccountId account, long used, Long cap) {
    }

    /** Every account of the tree that has a row, with this period's share (0 for an older period). */
    public Map<AccountId, Share> shares(AccountId master) {
        LocalDate period = BillingPeriod.of(clock.instant()).start();
        Map<AccountId, Share> shares = new java.util.HashMap<>();
        jdbc.sql("select account_id, period_start, used, monthly_cap from billing_account_usage where master_id = ?")
                .param(master.value())
                .query(rs -> {
                    AccountId id = new AccountId(rs.getObject(1, UUID.class));
                    long used = period.equals(rs.getObject(2, LocalDate.class)) ? rs.getLong(3) : 0;
                    shares.put(id, new Share(id, used, (Long) rs.getObject(4, Long.class)));
                });
        return shares;
    }

    public Optional<Share> share(AccountId account) {
        return Optional.ofNullable(shares(masterOf(account)).get(account));
    }

    /** Top-ups of a master, newest first. */
    public record TopUp(long credits, String actor, java.time.Instant at) {
    }

    public List<TopUp> topUps(AccountId master) {
        return jdbc.sql("select credits, actor, created_at from billing_top_up where account_id = ? order by id desc limit 20")
                .param(master.value()).query((rs, n) -> new TopUp(rs.getLong(1), rs.getString(2),
                        Times.instant(rs, "created_at"))).list();
    }
}
