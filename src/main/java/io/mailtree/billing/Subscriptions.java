package io.mailtree.billing;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.Plan;
import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The master's subscription (D-4: a sub-account has none): its plan (kept on the account, where the
 * whole tree reads it), the current period and its renewal date, and a downgrade waiting for that
 * renewal. An upgrade starts now; a downgrade starts at the renewal. Either is refused, with the
 * numbers, when what the tree holds now does not fit the new plan (its contacts and allocations,
 * its sub-accounts).
 */
@Service
public class Subscriptions {

    /** The subscription as the master's billing page and the API show it. */
    public record Subscription(AccountId master, Plan plan, BillingPeriod period, LocalDate renewsOn,
            Plan pendingPlan, LocalDate pendingFrom, Instant startedAt) {
    }

    private final JdbcClient jdbc;
    private final AccountTree accounts;
    private final PlanPrices prices;
    private final AuditLog audit;
    private final Clock clock;

    Subscriptions(JdbcClient jdbc, AccountTree accounts, PlanPrices prices, AuditLog audit, Clock clock) {
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.prices = prices;
        this.audit = audit;
        this.clock = clock;
    }

    /** The subscription of the master of {@code account}'s tree. */
    @Transactional
    public Subscription of(AccountId account) {
        Account master = accounts.require(accounts.rootOf(account));
        ensure(master.id());
        BillingPeriod period = BillingPeriod.of(clock.instant());
        record Row(String pending, LocalDate from, Instant started) {
        }
        Row row = jdbc.sql("select pending_plan_code, pending_at, started_at from billing_subscription where account_id = ?")
                .param(master.id().value())
                .query((rs, n) -> new Row(rs.getString(1), rs.getObject(2, LocalDate.class), Times.instant(rs, "started_at")))
                .single();
        Plan pending = row.pending() == null ? null : accounts.plans().stream()
                .filter(p -> p.code().equals(row.pending())).findFirst().orElse(null);
        return new Subscription(master.id(), accounts.planOf(master), period, period.end(), pending, row.from(),
                row.started());
    }

    private void ensure(AccountId master) {
        Instant now = clock.instant();
        jdbc.sql("""
                insert into billing_subscription (account_id, started_at, updated_at)
                select ?, ?, ? where not exists (select 1 from billing_subscription where account_id = ?)""")
                .params(master.value(), Times.sql(now), Times.sql(now), master.value()).update();
    }

    /**
     * The master changes its plan: up now, down at the renewal (choosing the current plan again
     * cancels a waiting downgrade). Refused with {@code plan_does_not_fit} and the numbers when the
     * tree does not fit the plan.
     */
    @Transactional
    public Subscription change(Caller caller, String planCode) {
        Account master = accounts.master(caller);
        Plan target = accounts.plans().stream().filter(p -> p.code().equals(planCode)).findFirst()
                .orElseThrow(() -> DomainProblem.invalid("unknown_plan", "unknown plan: " + planCode, planCode)
                        .with("field", "plan"));
        Plan current = accounts.planOf(master);
        ensure(master.id());
        if (target.code().equals(current.code())) {
            jdbc.sql("update billing_subscription set pending_plan_code = null, pending_at = null, updated_at = ?"
                    + " where account_id = ?").params(Times.sql(clock.instant()), master.id().value()).update();
            audit.record(caller, master.id(), master.id(), "billing.plan_change_cancelled", "account",
                    master.id().toString(), "plan=" + current.code());
            return of(master.id());
        }
        requireFits(master, target);
        if (isUpgrade(current, target)) {
            jdbc.sql("update billing_subscription set pending_plan_code = null, pending_at = null, updated_at = ?"
                    + " where account_id = ?").params(Times.sql(clock.instant()), master.id().value()).update();
            accounts.changePlan(master.id(), target.code(), caller, null);
        } else {
            LocalDate renewal = BillingPeriod.of(clock.instant()).end();
            jdbc.sql("update billing_subscription set pending_plan_code = ?, pending_at = ?, updated_at = ?"
                    + " where account_id = ?")
                    .params(target.code(), renewal, Times.sql(clock.instant()), master.id().value()).update();
            audit.record(caller, master.id(), master.id(), "billing.downgrade_scheduled", "account",
                    master.id().toString(), "plan=" + current.code() + "->" + target.code() + " from=" + renewal);
        }
        return of(master.id());
    }

    /** Up when the new plan costs more per period, or at the same price holds more. */
    boolean isUpgrade(Plan current, Plan target) {
        long from = prices.of(current.code()).periodPriceMinor();
        long to = prices.of(target.code()).periodPriceMinor();
        if (from != to) {
            return to > from;
        }
        return capacity(target) > capacity(current);
    }

    private long capacity(Plan plan) {
        Long allowance = prices.monthlyAllowance(plan);
        long contacts = plan.contactLimit() == null ? Long.MAX_VALUE / 4 : plan.contactLimit();
        return (allowance == null ? Long.MAX_VALUE / 4 : allowance) / 4 + contacts / 4;
    }

    /**
     * What the tree holds now must fit the plan: D-3's sub-accounts (the operator's per-master
     * override still applies) and, on a CONTACTS plan, the contacts and the sub-accounts' allocations.
     */
    private void requireFits(Account master, Plan target) {
        boolean subaccountsAllowed = master.subaccountsOverride() != null ? master.subaccountsOverride()
                : target.subaccountsAllowed();
        if (!subaccountsAllowed && master.subaccountCount() > 0) {
            throw DomainProblem.conflict("plan_does_not_fit", "the plan " + target.code() + " allows no sub-accounts;"
                    + " the account has " + master.subaccountCount(), target.code(), master.subaccountCount(), 0)
                    .with("subaccounts", master.subaccountCount()).with("plan", target.code());
        }
        Integer limit = master.contactLimit(target);
        long needed = master.ownActiveContacts() + master.allocatedToSubaccounts();
        if (target.usesContactAllocation() && limit != null && needed > limit) {
            throw DomainProblem.conflict("plan_does_not_fit", "the plan " + target.code() + " allows " + limit
                    + " contacts; the account holds " + needed + " (its contacts and its sub-accounts' allocations)",
                    target.code(), needed, limit)
                    .with("needed", needed).with("limit", limit).with("plan", target.code());
        }
    }

    /**
     * At the renewal that starts {@code period}, a waiting downgrade starts, in the caller's
     * transaction; if the tree has grown since and no longer fits, the current plan stays.
     */
    void startPendingPlan(AccountId masterId, BillingPeriod period) {
        String pending = jdbc.sql("select pending_plan_code from billing_subscription where account_id = ?"
                + " and pending_at <= ?").params(masterId.value(), period.start()).query(String.class).optional()
                .orElse(null);
        if (pending == null) {
            return;
        }
        jdbc.sql("update billing_subscription set pending_plan_code = null, pending_at = null, updated_at = ?"
                + " where account_id = ?").params(Times.sql(clock.instant()), masterId.value()).update();
        Account master = accounts.require(masterId);
        Plan target = accounts.plans().stream().filter(p -> p.code().equals(pending)).findFirst().orElse(null);
        if (target == null) {
            return;
        }
        try {
            requireFits(master, target);
        } catch (DomainProblem grown) {
            audit.recordOperator("billing-renewal", null, masterId, masterId, "billing.downgrade_skipped",
                    grown.getMessage());
            return;
        }
        accounts.changePlan(masterId, target.code(), null, "billing-renewal");
    }
}
