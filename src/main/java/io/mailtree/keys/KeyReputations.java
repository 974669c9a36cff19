package io.mailtree.keys;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.TimeZones;
import io.mailtree.shared.Ids;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * D-18 as the account reads it: a key's numbers over the rolling windows (24 hours, 7 days, 30
 * days), its daily rates for the chart, its pause and alerts; and for a master a summary of every
 * key of its tree. Tenancy: a key is visible to its own account and to that account's master; any
 * other id answers {@code api_key_not_found} (404), as an id that does not exist.
 */
@Service
public class KeyReputations {

    /** The rolling windows reported, in hours. */
    public static final List<Integer> WINDOWS = List.of(24, 168, 720);
    /** Days the chart covers. */
    public static final int CHART_DAYS = 30;

    /** A key as reputation shows it. */
    public record KeyInfo(UUID id, AccountId account, String accountName, String name, String label) {
    }

    /** One day of the chart: its totals and so its rates. */
    public record Day(Instant day, ReputationTotals totals) {
    }

    /** A key's reputation, everything its page and API show. */
    public record Report(KeyInfo key, Instant at, Map<Integer, ReputationTotals> windows, List<Day> days,
            ReputationThresholds.Settings settings, KeyPauses.Pause pause, KeyAlerts.Alert pausedBy,
            List<KeyAlerts.Alert> alerts) {

        public boolean paused() {
            return pause != null && pause.paused();
        }

        /** The totals of the window the thresholds are judged over. */
        public ReputationTotals judged() {
            return windows.getOrDefault(settings.windowHours(), ReputationTotals.NONE);
        }
    }

    /** One row of a master's summary. */
    public record SummaryRow(KeyInfo key, ReputationTotals last24h, ReputationTotals last7d, ReputationTotals last30d,
            boolean paused) {
    }

    private final KeyLookup keys;
    private final ReputationCounts counts;
    private final ReputationThresholds thresholds;
    private final KeyPauses pauses;
    private final KeyAlerts alerts;
    private final AccountTree accounts;
    private final Clock clock;

    KeyReputations(KeyLookup keys, ReputationCounts counts, ReputationThresholds thresholds, KeyPauses pauses,
            KeyAlerts alerts, AccountTree accounts, Clock clock) {
        this.keys = keys;
        this.counts = counts;
        this.thresholds = thresholds;
        this.pauses = pauses;
        this.alerts = alerts;
        this.accounts = accounts;
        this.clock = clock;
    }

    /** The key of this id if the caller may see it: its own account's, or one of its sub-accounts'. */
    public KeyInfo visibleKey(Caller caller, String id) {
        KeyLookup.Key key = Ids.parseUuid(id == null ? "" : id.strip()).flatMap(keys::byId)
                .orElseThrow(KeyReputations::notFound);
        Account owner = accounts.find(key.account()).orElseThrow(KeyReputations::notFound);
        boolean own = owner.id().equals(caller.accountId());
        boolean ofSubaccount = caller.master() && !owner.isMaster() && caller.accountId().equals(owner.parentId());
        if (!own && !ofSubaccount) {
            throw notFound();
        }
        return new KeyInfo(key.id(), key.account(), owner.name(), key.name(), key.label());
    }

    private static DomainProblem notFound() {
        return DomainProblem.notFound("api_key_not_found", "API key");
    }

    public Report report(Caller caller, String keyId) {
        return report(caller, keyId, TimeZones.UTC);
    }

    /** The key's report, its chart's days being calendar days of {@code zone} (the reader's). */
    public Report report(Caller caller, String keyId, ZoneId zone) {
        KeyInfo key = visibleKey(caller, keyId);
        Instant now = clock.instant();
        LocalDate today = now.atZone(zone).toLocalDate();
        Instant dayEnd = TimeZones.endOf(today, zone);
        Instant from = TimeZones.startOf(today.minusDays(CHART_DAYS - 1L), zone);
        List<ReputationCounts.Hour> hours = counts.hours(key.account(), key.id(), from.isBefore(
                KeyAlerts.windowStart(now, 720)) ? from : KeyAlerts.windowStart(now, 720), dayEnd);
        Map<Integer, ReputationTotals> windows = new LinkedHashMap<>();
        for (int window : WINDOWS) {
            Instant start = KeyAlerts.windowStart(now, window);
            windows.put(window, hours.stream().filter(h -> !h.hour().isBefore(start))
                    .map(ReputationCounts.Hour::counts).reduce(ReputationTotals.NONE, ReputationTotals::plus));
        }
        Map<Instant, ReputationTotals> byDay = new LinkedHashMap<>();
        for (LocalDate day = today.minusDays(CHART_DAYS - 1L); !day.isAfter(today); day = day.plusDays(1)) {
            byDay.put(TimeZones.startOf(day, zone), ReputationTotals.NONE);
        }
        for (ReputationCounts.Hour hour : hours) {
            byDay.computeIfPresent(TimeZones.startOf(hour.hour().atZone(zone).toLocalDate(), zone),
                    (d, t) -> t.plus(hour.counts()));
        }
        List<Day> days = new ArrayList<>();
        byDay.forEach((day, totals) -> days.add(new Day(day, totals)));
        KeyPauses.Pause pause = pauses.of(key.id()).orElse(null);
        KeyAlerts.Alert pausedBy = pause == null || pause.alertId() == null ? null
                : alerts.find(pause.alertId()).orElse(null);
        return new Report(key, now, windows, days, thresholds.settings(), pause, pausedBy,
                alerts.ofKey(key.account(), key.id(), 20));
    }

    /**
     * Every key of the caller's account and, for a master, of each of its sub-accounts, with its
     * 24-hour, 7-day and 30-day totals: a few queries for the whole tree.
     */
    public List<SummaryRow> summary(Caller caller) {
        List<AccountId> tree = new ArrayList<>();
        tree.add(caller.accountId());
        if (caller.master()) {
            tree.addAll(accounts.subaccountIds(caller.accountId()));
        }
        Map<AccountId, String> names = accounts.namesOf(tree);
        List<KeyLookup.Key> all = keys.ofAccounts(tree);
        List<ReputationCounts.KeyRef> refs = all.stream().map(k -> new ReputationCounts.KeyRef(k.account(), k.id()))
                .toList();
        Instant now = clock.instant();
        Map<UUID, ReputationTotals> day = counts.totalsSince(refs, KeyAlerts.windowStart(now, 24));
        Map<UUID, ReputationTotals> week = counts.totalsSince(refs, KeyAlerts.windowStart(now, 168));
        Map<UUID, ReputationTotals> month = counts.totalsSince(refs, KeyAlerts.windowStart(now, 720));
        java.util.Set<UUID> paused = new java.util.HashSet<>(pauses.pausedNow().stream().map(KeyPauses.Pause::keyId)
                .toList());
        return all.stream().map(k -> new SummaryRow(
                new KeyInfo(k.id(), k.account(), names.getOrDefault(k.account(), ""), k.name(), k.label()),
                day.getOrDefault(k.id(), ReputationTotals.NONE), week.getOrDefault(k.id(), ReputationTotals.NONE),
                month.getOrDefault(k.id(), ReputationTotals.NONE), paused.contains(k.id()))).toList();
    }
}
