package io.mailtree.keys.api;

import io.mailtree.keys.KeyAlerts;
import io.mailtree.keys.KeyReputations;
import io.mailtree.keys.ReputationThresholds;
import io.mailtree.keys.ReputationTotals;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * D-18 over the API: one key's reputation (windows, daily rates, thresholds, pause, alerts), and the
 * summary of every key of the caller's tree. A key of another account, or of a sibling sub-account,
 * answers 404 {@code api_key_not_found}; a master sees its sub-accounts' keys.
 */
@RestController
@Tag(name = "Keys")
@RequiresPermission(Permission.STATISTICS)
class ReputationApi {

    private final KeyReputations reputations;

    ReputationApi(KeyReputations reputations) {
        this.reputations = reputations;
    }

    @GetMapping("/api/v1/keys/{id}/reputation")
    @Operation(summary = "A key's sender reputation", description = """
            What became of the mail sent with this key over the rolling windows 24h, 7d and 30d (sent recipients,
            delivered, hard and soft bounces, complaints, blocks — policy refusals such as 5.7.x — and unsubscribes),
            the rates judged against the operator's thresholds (hard-bounce and block rates over sent, complaint rate
            over delivered), one entry per day of the last 30 days, whether the key is paused and by which alert, and
            its latest alerts. A key of another account answers 404 api_key_not_found.""")
    Map<String, Object> reputation(Caller caller, @PathVariable String id) {
        KeyReputations.Report report = reputations.report(caller, id);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("key", key(report.key()));
        json.put("at", report.at().toString());
        json.put("status", report.paused() ? "PAUSED" : "ACTIVE");
        Map<String, Object> windows = new LinkedHashMap<>();
        report.windows().forEach((hours, totals) -> windows.put(label(hours), totals(totals)));
        json.put("windows", windows);
        json.put("judged", Map.of("window", label(report.settings().windowHours()), "minimumVolume",
                report.settings().minimumVolume()));
        json.put("thresholds", report.settings().thresholds().stream().map(ReputationApi::threshold).toList());
        json.put("days", report.days().stream().map(d -> {
            Map<String, Object> day = new LinkedHashMap<>();
            day.put("day", d.day().toString());
            day.putAll(totals(d.totals()));
            return day;
        }).toList());
        if (report.pause() != null && report.paused()) {
            Map<String, Object> pause = new LinkedHashMap<>();
            pause.put("pausedAt", report.pause().pausedAt().toString());
            pause.put("alert", report.pausedBy() == null ? null : alert(report.pausedBy()));
            json.put("pause", pause);
        } else if (report.pause() != null && report.pause().resumedAt() != null) {
            json.put("lastResume", Map.of("resumedAt", report.pause().resumedAt().toString(), "reason",
                    report.pause().resumeReason()));
        }
        json.put("alerts", report.alerts().stream().map(ReputationApi::alert).toList());
        return json;
    }

    @GetMapping("/api/v1/keys/reputation")
    @Operation(summary = "Reputation of every key of the account (and, for a master, of its sub-accounts)")
    Map<String, Object> summary(Caller caller) {
        List<Map<String, Object>> items = reputations.summary(caller).stream().map(row -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("key", key(row.key()));
            item.put("status", row.paused() ? "PAUSED" : "ACTIVE");
            item.put("windows", Map.of("24h", totals(row.last24h()), "7d", totals(row.last7d()), "30d",
                    totals(row.last30d())));
            return item;
        }).toList();
        return Map.of("items", items);
    }

    private static String label(int hours) {
        return hours % 24 == 0 && hours > 24 ? hours / 24 + "d" : hours + "h";
    }

    private static Map<String, Object> key(KeyReputations.KeyInfo key) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", key.id().toString());
        json.put("name", key.name());
        json.put("label", key.label());
        json.put("accountId", key.account().toString());
        json.put("accountName", key.accountName());
        return json;
    }

    private static Map<String, Object> totals(ReputationTotals t) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sent", t.sent());
        json.put("delivered", t.delivered());
        json.put("hardBounces", t.hardBounces());
        json.put("softBounces", t.softBounces());
        json.put("complaints", t.complaints());
        json.put("blocks", t.blocks());
        json.put("unsubscribes", t.unsubscribes());
        json.put("hardBounceRate", round(t.hardBounceRate()));
        json.put("softBounceRate", round(t.softBounceRate()));
        json.put("complaintRate", round(t.complaintRate()));
        json.put("blockRate", round(t.blockRate()));
        json.put("unsubscribeRate", round(t.unsubscribeRate()));
        return json;
    }

    private static double round(double percent) {
        return Math.round(percent * 10_000) / 10_000.0;
    }

    private static Map<String, Object> threshold(ReputationThresholds.Threshold t) {
        return Map.of("code", t.code(), "metric", t.metric().name(), "ratePercent", t.ratePercent(), "action",
                t.action().name());
    }

    private static Map<String, Object> alert(KeyAlerts.Alert a) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", a.id());
        json.put("threshold", a.thresholdCode());
        json.put("metric", a.metric().name());
        json.put("action", a.action().name());
        json.put("thresholdPercent", a.thresholdPercent());
        json.put("ratePercent", a.ratePercent());
        json.put("count", a.numerator());
        json.put("outOf", a.denominator());
        json.put("windowHours", a.windowHours());
        json.put("raisedAt", a.raisedAt().toString());
        return json;
    }
}
