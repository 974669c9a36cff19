package io.mailtree.delivery.api;

import io.mailtree.delivery.MessageStatistics;
import io.mailtree.keys.ApiKeys;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Ids;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.mailtree.shared.TimeZones;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Sending statistics by hour, for the calling account, all keys together or one key's: what the
 * statistics page charts, for dashboards of one's own.
 */
@RestController
@Tag(name = "Sending")
@RequiresPermission(Permission.STATISTICS)
class StatisticsApi {

    private final MessageStatistics statistics;
    private final ApiKeys keys;
    private final Clock clock;

    StatisticsApi(MessageStatistics statistics, ApiKeys keys, Clock clock) {
        this.statistics = statistics;
        this.keys = keys;
        this.clock = clock;
    }

    @GetMapping("/api/v1/statistics")
    @Operation(summary = "Totals of the last 24 hours, 7 days and 30 days, and the last 30 days day by day", description = """
            The calling account's messages sent (accepted) and its recipients delivered, bounced and complained,
            all keys together, over the periods 24h, 7d and 30d, each ending with the current hour: the figures the
            dashboard shows. days lists the last 30 calendar days of timezone (an IANA zone such as Europe/Paris;
            default UTC), today last, each with its date, its span (from, to: 23 or 25 hours on the days the clocks
            change) and the same four counts: the dashboard's chart, for a reader in that zone. A zone that is not
            one answers 400 invalid_timezone. Recipient-level counts (delivered, bounced, complained) count
            recipients; sent counts messages.""")
    java.util.Map<String, Object> summary(Caller caller, @RequestParam(required = false) String timezone) {
        ZoneId zone = TimeZones.parse(timezone, "timezone");
        Instant now = clock.instant();
        java.util.Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("at", now);
        answer.put("periods", statistics.summary(caller.accountId(), now));
        answer.put("timezone", zone.getId());
        answer.put("days", statistics.daily(caller.accountId(), null, zone, MessageStatistics.CHART_DAYS, now).stream()
                .map(MessageStatistics.Day::totals).toList());
        return answer;
    }

    @GetMapping("/api/v1/statistics/hourly")
    @Operation(summary = "Message events by hour", description = """
            Counts of ACCEPTED, DELIVERED, DEFERRED, BOUNCED, COMPLAINED, SUPPRESSED and FAILED events per hour (UTC),
            every hour of the range listed, zeros included, with the range's totals. from and to are ISO-8601 instants
            (default: the last 24 hours), at most 93 days apart. apiKeyId narrows to one key of the account.
            Recipient-level events (delivered, bounced, ...) count recipients; ACCEPTED counts messages.""")
    MessageStatistics.Report hourly(Caller caller, @RequestParam(required = false) String from,
            @RequestParam(required = false) String to, @RequestParam(required = false) String apiKeyId) {
        Instant until = to == null || to.isBlank() ? clock.instant() : instant(to, "to");
        Instant since = from == null || from.isBlank() ? until.minus(Duration.ofHours(24)) : instant(from, "from");
        UUID key = null;
        if (apiKeyId != null && !apiKeyId.isBlank()) {
            // Another account's key is as unknown as a made-up one.
            key = Ids.parseUuid(apiKeyId.strip())
                    .filter(id -> keys.of(caller.accountId()).stream().anyMatch(k -> k.id().value().equals(id)))
                    .orElseThrow(() -> DomainProblem.notFound("api_key_not_found", "API key"));
        }
        return statistics.report(caller.accountId(), key, since, until);
    }

    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

    private static Instant instant(String text, String field) {
        try {
            Instant instant = Instant.parse(text.strip());
            if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
                throw DomainProblem.invalid("invalid_time", "times lie between the years 2000 and 2200")
                        .with("field", field);
            }
            return instant;
        } catch (DomainProblem outOfRange) {
            throw outOfRange;
        } catch (RuntimeException unreadable) {
            throw DomainProblem.invalid("invalid_time", "times are ISO-8601 instants such as 2026-11-25T10:00:00Z")
                    .with("field", field);
        }
    }
}
