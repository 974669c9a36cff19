package io.mailtree.delivery.web;

import io.mailtree.delivery.MessageStatistics;
import io.mailtree.keys.ApiKey;
import io.mailtree.keys.ApiKeys;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Ids;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.mailtree.shared.web.ViewFormat;
import io.mailtree.shared.outcomes.OutcomeType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The statistics page: what became of the account's mail, hour by hour (or day by day over 30
 * days), as a stacked bar chart of delivered, deferred, bounced and complained, with the totals
 * and rates beneath; all keys together or one key's.
 */
@Controller
@RequiresPermission(Permission.STATISTICS)
class StatisticsPageController {

    /** The ranges offered, with their length and whether bars are days rather than hours. */
    enum Range {
        LAST_24H("24h", Duration.ofHours(24), false), LAST_7D("7d", Duration.ofDays(7), false),
        LAST_30D("30d", Duration.ofDays(30), true);

        final String code;
        final Duration length;
        final boolean daily;

        Range(String code, Duration length, boolean daily) {
            this.code = code;
            this.length = length;
            this.daily = daily;
        }

        static Range of(String code) {
            for (Range range : values()) {
                if (range.code.equals(code)) {
                    return range;
                }
            }
            return LAST_24H;
        }

        public String code() {
            return code;
        }
    }

    /** What finally became of a recipient's copy: the denominator of the delivery and bounce rates. */
    static final List<String> FINAL = java.util.stream.Stream.of(OutcomeType.DELIVERED, OutcomeType.BOUNCED,
            OutcomeType.FAILED, OutcomeType.SUPPRESSED).map(OutcomeType::name).toList();

    private final MessageStatistics statistics;
    private final ApiKeys keys;
    private final Clock clock;
    private final ViewFormat fmt;

    StatisticsPageController(MessageStatistics statistics, ApiKeys keys, Clock clock, ViewFormat fmt) {
        this.fmt = fmt;
        this.statistics = statistics;
        this.keys = keys;
        this.clock = clock;
    }

    @GetMapping("/statistics")
    String statistics(Caller caller, @RequestParam(defaultValue = "24h") String range,
            @RequestParam(defaultValue = "") String key, Model model) {
        Range chosen = Range.of(range);
        List<ApiKey> accountKeys = keys.of(caller.accountId());
        // Only a key of this account narrows the view; anything else shows all keys.
        UUID keyId = Ids.parseUuid(key.strip())
                .filter(id -> accountKeys.stream().anyMatch(k -> k.id().value().equals(id))).orElse(null);
        // Bars and their labels in the reader's zone: days are its calendar days, so a message sent at
        // 23:30 on Monday in New York is Monday's bar there.
        ZoneId zone = fmt.zone();
        Instant now = clock.instant();
        Instant from;
        Instant to;
        StatisticsChart chart;
        Map<String, Long> totals;
        if (chosen.daily) {
            List<MessageStatistics.Day> days = statistics.daily(caller.accountId(), keyId, zone,
                    (int) chosen.length.toDays(), now);
            from = days.get(0).from();
            to = days.get(days.size() - 1).to();
            chart = StatisticsChart.daily(days);
            totals = new java.util.LinkedHashMap<>();
            for (MessageStatistics.Day day : days) {
                day.counts().forEach((type, count) -> totals.merge(type, count, Long::sum));
            }
        } else {
            to = now.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
            MessageStatistics.Report report = statistics.report(caller.accountId(), keyId, to.minus(chosen.length), to);
            from = report.from();
            chart = StatisticsChart.hourly(report.hours(), zone);
            totals = report.totals();
        }
        model.addAttribute("ranges", Range.values());
        model.addAttribute("range", chosen.code);
        model.addAttribute("keys", accountKeys);
        model.addAttribute("key", keyId == null ? "" : keyId.toString());
        model.addAttribute("chart", chart);
        model.addAttribute("totals", totals);
        model.addAttribute("types", MessageStatistics.REPORTED);
        model.addAttribute("series", StatisticsChart.SERIES);
        // Rates over final outcomes only: a deferral is an attempt, counted again at each retry.
        long outcomes = FINAL.stream().mapToLong(totals::get).sum();
        model.addAttribute("outcomes", outcomes);
        model.addAttribute("from", from);
        model.addAttribute("to", to);
        return "delivery/statistics";
    }
}
