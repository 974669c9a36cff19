package io.mailtree.billing;

import io.mailtree.accounts.Plan;
import io.mailtree.accounts.PlanKind;
import io.mailtree.accounts.Plans;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The operator's prices for the plans of the catalog (D-2): a fee per period, a price per 1,000
 * e-mails sent (D-31: the one price variable) and, optionally, the monthly e-mails of the plan
 * where the catalog gives none (a CONTACTS plan's sending allowance). A plan without a row costs
 * nothing and keeps the catalog's allowance.
 */
@Service
public class PlanPrices {

    /** One plan's prices; amounts in minor units of the installation's currency. */
    public record Price(String planCode, long periodPriceMinor, long perThousandMinor, Long monthlyEmails) {
    }

    /** A plan of the catalog with its price, for the operator's page. */
    public record Priced(Plan plan, Price price, Long monthlyAllowance) {
    }

    private final JdbcClient jdbc;
    private final Plans plans;
    private final Clock clock;

    PlanPrices(JdbcClient jdbc, Plans plans, Clock clock) {
        this.jdbc = jdbc;
        this.plans = plans;
        this.clock = clock;
    }

    public Price of(String planCode) {
        return jdbc.sql("""
                select plan_code, period_price_minor, per_thousand_minor, monthly_emails from billing_plan_price
                where plan_code = ?""").param(planCode)
                .query((rs, n) -> new Price(rs.getString(1), rs.getLong(2), rs.getLong(3),
                        (Long) rs.getObject(4, Long.class)))
                .optional().orElse(new Price(planCode, 0, 0, null));
    }

    /**
     * How many e-mails a period of this plan allows, or null for no limit: the operator's figure,
     * else the catalog's. A PAY_PER_SEND plan has none: its credits are what was bought.
     */
    public Long monthlyAllowance(Plan plan) {
        if (plan.kind() == PlanKind.PAY_PER_SEND) {
            return null;
        }
        Price price = of(plan.code());
        if (price.monthlyEmails() != null) {
            return price.monthlyEmails();
        }
        return plan.monthlyEmails() == null ? null : plan.monthlyEmails().longValue();
    }

    public List<Priced> all() {
        Map<String, Price> prices = new HashMap<>();
        for (Plan plan : plans.all()) {
            prices.put(plan.code(), of(plan.code()));
        }
        return plans.all().stream().map(p -> new Priced(p, prices.get(p.code()), monthlyAllowance(p))).toList();
    }

    /** Sets a plan's prices (the operator's act, kept with who did it). */
    @Transactional
    public Price change(String planCode, long periodPriceMinor, long perThousandMinor, Long monthlyEmails,
            String operator) {
        Plan plan = plans.require(planCode);
        if (periodPriceMinor < 0 || perThousandMinor < 0 || (monthlyEmails != null && monthlyEmails < 0)
                || periodPriceMinor > 1_000_000_000_00L || perThousandMinor > 1_000_000_00L) {
            throw DomainProblem.invalid("invalid_price", "prices and allowances are whole numbers from 0");
        }
        int updated = jdbc.sql("""
                update billing_plan_price set period_price_minor = ?, per_thousand_minor = ?, monthly_emails = ?,
                    updated_by = ?, updated_at = ? where plan_code = ?""")
                .params(periodPriceMinor, perThousandMinor, monthlyEmails, operator, Times.sql(clock.instant()),
                        plan.code())
                .update();
        if (updated == 0) {
            jdbc.sql("""
                    insert into billing_plan_price (plan_code, period_price_minor, per_thousand_minor, monthly_emails,
                        updated_by, updated_at) values (?, ?, ?, ?, ?, ?)""")
                    .params(plan.code(), periodPriceMinor, perThousandMinor, monthlyEmails, operator,
                            Times.sql(clock.instant()))
                    .update();
        }
        return of(plan.code());
    }
}
