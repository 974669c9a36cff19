package io.mailtree.delivery.web;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.delivery.MessageStatistics;
import io.mailtree.delivery.MessageStatistics.PeriodTotals;
import io.mailtree.keys.KeyAlerts;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.mailtree.shared.web.ViewFormat;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;

/**
 * The sending half of the dashboard: sent, delivered, bounced and complained over 24 hours, 7 days
 * and 30 days with a chart of the 30 days, and for a master the same per sub-account (the busiest
 * and the most troubled), their contacts and allocations, and the key alerts of the tree.
 *
 * <p>The home page belongs to {@code accounts}, which sits at the bottom of the modules and cannot
 * read delivery's statistics (ADR 0011, ADR 0020); so delivery serves this part and the home page
 * loads it with htmx. Without htmx, {@code /home/sending} is a page of its own. The figures come
 * from {@link MessageStatistics#summary}, which {@code GET /api/v1/statistics} answers too, so the
 * dashboard and the API never disagree.
 */
@Controller
@RequiresPermission(Permission.STATISTICS)
class DashboardPageController {

    /** How many sub-accounts each of the two rankings shows. */
    static final int RANKED = 5;

    private final MessageStatistics statistics;
    private final AccountTree accounts;
    private final KeyAlerts alerts;
    private final Clock clock;
    private final ViewFormat fmt;

    DashboardPageController(MessageStatistics statistics, AccountTree accounts, KeyAlerts alerts, Clock clock,
            ViewFormat fmt) {
        this.fmt = fmt;
        this.statistics = statistics;
        this.accounts = accounts;
        this.alerts = alerts;
        this.clock = clock;
    }

    /** One sub-account's row: its 30-day totals and its contacts against its allocation. */
    record SubaccountRow(AccountId id, String name, PeriodTotals month, int contacts, Integer allocation,
            boolean active) {
    }

    @GetMapping("/home/sending")
    String sending(Caller caller, @RequestHeader(name = "HX-Request", required = false) String htmx, Model model) {
        Instant now = clock.instant();
        Map<String, PeriodTotals> summary = statistics.summary(caller.accountId(), now);
        // The chart's days are the reader's calendar days, as GET /api/v1/statistics?timezone= answers them.
        List<MessageStatistics.Day> days = statistics.daily(caller.accountId(), null, fmt.zone(), MessageStatistics.CHART_DAYS, now);
        model.addAttribute("periods", List.copyOf(summary.values()));
        model.addAttribute("nothingSent", summary.get(MessageStatistics.Period.LAST_30D.code()).sent() == 0);
        model.addAttribute("chart", StatisticsChart.daily(days));
        model.addAttribute("series", StatisticsChart.SERIES);
        model.addAttribute("alerts", alerts.banner(caller));
        boolean master = caller.master();
        model.addAttribute("master", master);
        if (master) {
            List<AccountId> ids = accounts.subaccountIds(caller.accountId());
            Map<AccountId, Map<String, PeriodTotals>> perSub = statistics.summaries(ids, now);
            List<Map.Entry<AccountId, PeriodTotals>> months = perSub.entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), e.getValue().get(MessageStatistics.Period.LAST_30D.code())))
                    .toList();
            List<Map.Entry<AccountId, PeriodTotals>> top = months.stream().filter(e -> e.getValue().sent() > 0)
                    .sorted(Comparator.comparingLong((Map.Entry<AccountId, PeriodTotals> e) -> e.getValue().sent())
                            .reversed())
                    .limit(RANKED).toList();
            // The most troubled: bounces and complaints per recipient that reached an end, only where there were some.
            List<Map.Entry<AccountId, PeriodTotals>> worst = months.stream()
                    .filter(e -> e.getValue().bounced() + e.getValue().complained() > 0)
                    .sorted(Comparator.comparingDouble((Map.Entry<AccountId, PeriodTotals> e) -> e.getValue()
                            .troubleRate()).reversed())
                    .limit(RANKED).toList();
            model.addAttribute("subaccountCount", ids.size());
            Map<String, List<SubaccountRow>> rankings = new java.util.LinkedHashMap<>();
            rankings.put("top", rows(caller.accountId(), top));
            rankings.put("worst", rows(caller.accountId(), worst));
            model.addAttribute("rankings", rankings);
        }
        return htmx != null ? "delivery/dashboard :: sending" : "delivery/dashboard";
    }

    private List<SubaccountRow> rows(AccountId master, List<Map.Entry<AccountId, PeriodTotals>> ranked) {
        return ranked.stream().map(e -> {
            Account sub = accounts.subaccount(master, e.getKey());
            return new SubaccountRow(sub.id(), sub.name(), e.getValue(), sub.ownActiveContacts(),
                    sub.contactAllocation(), sub.isActive());
        }).toList();
    }
}
