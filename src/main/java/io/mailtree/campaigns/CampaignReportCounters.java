package io.mailtree.campaigns;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.Times;
import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.shared.outcomes.OutcomeConsumer;
import io.mailtree.shared.outcomes.OutcomeType;
import io.mailtree.shared.outcomes.StreamPosition;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps each campaign's report as counters (ADR 0027): a consumer of the outcome stream that picks
 * the events of campaign mail (those whose message carries a campaign's bulk id) and moves the
 * campaign's counters, its hourly buckets and its per-link clicks, in the batch's transaction. The
 * report is never a recount of messages or events, so it costs the same for a campaign of ten
 * recipients or ten million.
 *
 * <p>What counts as what: {@code QUEUED} is sent; {@code DELIVERED} delivered; {@code BOUNCED} a hard
 * or a soft bounce (a policy block counts as soft: the address is not at fault); {@code COMPLAINED} a
 * complaint; {@code OPENED} an open, a machine's apart from a person's, unique once per recipient;
 * {@code CLICKED} a click, unique once per recipient overall and per link; {@code UNSUBSCRIBED} once
 * per recipient. Webhooks read these same events, so a campaign's report and the events its account's
 * endpoints received agree.
 *
 * <p>Idempotent on the event: each campaign keeps the last stream position it counted, written with
 * its counters, and an event at or before it is skipped, so a replay counts nothing twice.
 */
@Component
class CampaignReportCounters implements OutcomeConsumer {

    static final String NAME = "campaigns.reports";
    private static final Set<OutcomeType> COUNTED = Set.of(OutcomeType.QUEUED, OutcomeType.DELIVERED,
            OutcomeType.BOUNCED, OutcomeType.COMPLAINED, OutcomeType.OPENED, OutcomeType.CLICKED,
            OutcomeType.UNSUBSCRIBED);

    private final JdbcClient jdbc;
    private final JdbcTemplate batches;
    private final Clock clock;
    /** Bulk id → campaign: fixed when the campaign is created, so cached. */
    private final Map<UUID, Ref> campaigns = new ConcurrentHashMap<>();

    private record Ref(long id, AccountId account) {
    }

    CampaignReportCounters(JdbcClient jdbc, JdbcTemplate batches, Clock clock) {
        this.jdbc = jdbc;
        this.batches = batches;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** What one batch adds to one campaign. */
    private static final class Delta {
        long sent, delivered, opensTotal, opensUnique, machineTotal, machineUnique, clicksTotal, clicksUnique,
                unsubscribes, hard, soft, complaints;
        final Map<Instant, long[]> hours = new TreeMap<>();
        final Map<Integer, long[]> links = new TreeMap<>();
        /** ADR 0031: per A/B variant, the V_* slots, from the variant each test message carries. */
        final Map<Integer, long[]> variants = new TreeMap<>();
        StreamPosition last;

        long[] variant(Integer index) {
            return index == null ? new long[6] : variants.computeIfAbsent(index, i -> new long[6]);
        }

        long[] hour(Instant at) {
            return hours.computeIfAbsent(at.truncatedTo(ChronoUnit.HOURS), h -> new long[7]);
        }
    }

    // variant slots
    private static final int V_SENT = 0, V_DELIVERED = 1, V_OPENS_UNIQUE = 2, V_OPENS = 3, V_CLICKS_UNIQUE = 4,
            V_CLICKS = 5;

    // hour bucket slots
    private static final int H_DELIVERED = 0, H_OPENS = 1, H_MACHINE = 2, H_CLICKS = 3, H_UNSUBSCRIBES = 4,
            H_BOUNCES = 5, H_COMPLAINTS = 6;

    @Override
    public void apply(List<Outcome> outcomes) {
        Map<UUID, List<Outcome>> byBulk = new LinkedHashMap<>();
        for (Outcome outcome : outcomes) {
            if (outcome.bulkId() != null && COUNTED.contains(outcome.type())) {
                byBulk.computeIfAbsent(outcome.bulkId(), b -> new ArrayList<>()).add(outcome);
            }
        }
        if (byBulk.isEmpty()) {
            return;
        }
        resolve(byBulk.keySet());
        Instant now = clock.instant();
        // In campaign id order, so two runners (were the consumer lock ever bypassed) lock rows alike.
        Map<Long, List<Outcome>> byCampaign = new TreeMap<>();
        Map<Long, Ref> refs = new HashMap<>();
        byBulk.forEach((bulk, events) -> {
            Ref ref = campaigns.get(bulk);
            if (ref != null) { // a bulk id of no campaign (none today): nothing to count
                byCampaign.put(ref.id(), events);
                refs.put(ref.id(), ref);
            }
        });
        for (Map.Entry<Long, List<Outcome>> entry : byCampaign.entrySet()) {
            count(refs.get(entry.getKey()), entry.getValue(), now);
        }
    }

    private void resolve(Set<UUID> bulks) {
        List<UUID> missing = bulks.stream().filter(b -> !campaigns.containsKey(b)).toList();
        for (int from = 0; from < missing.size(); from += 500) {
            List<UUID> chunk = missing.subList(from, Math.min(missing.size(), from + 500));
            jdbc.sql("select id, account_id, bulk_id from campaign where bulk_id in (" + SqlLists.placeholders(chunk.size())
                    + ")").params(new ArrayList<Object>(chunk))
                    .query((rs, n) -> {
                        campaigns.put(rs.getObject(3, UUID.class),
                                new Ref(rs.getLong(1), new AccountId(rs.getObject(2, UUID.class))));
                        return null;
                    }).list();
        }
    }

    private void count(Ref campaign, List<Outcome> events, Instant now) {
        // Check, then insert: one runner holds this consumer at a time (its row lock), so nobody races it.
        StreamPosition counted = jdbc.sql("select position_tx, position_id from campaign_report where campaign_id = ? for update")
                .param(campaign.id()).query((rs, n) -> new StreamPosition(rs.getLong(1), rs.getLong(2))).optional()
                .orElse(null);
        if (counted == null) {
            jdbc.sql("insert into campaign_report (campaign_id, account_id, updated_at) values (?, ?, ?)")
                    .params(campaign.id(), campaign.account().value(), Times.sql(now)).update();
            counted = StreamPosition.START;
        }
        Delta d = new Delta();
        Seen seen = new Seen(campaign, events, counted);
        for (Outcome e : events) {
            if (!after(e.position(), counted)) {
                continue;
            }
            d.last = e.position();
            switch (e.type()) {
                case QUEUED -> {
                    d.sent++;
                    d.variant(e.variant())[V_SENT]++;
                }
                case DELIVERED -> {
                    d.delivered++;
                    d.variant(e.variant())[V_DELIVERED]++;
                    d.hour(e.occurredAt())[H_DELIVERED]++;
                }
                case BOUNCED -> {
                    if (Outcome.HARD.equals(e.bounceClass())) {
                        d.hard++;
                    } else {
                        d.soft++;
                    }
                    d.hour(e.occurredAt())[H_BOUNCES]++;
                }
                case COMPLAINED -> {
                    d.complaints++;
                    d.hour(e.occurredAt())[H_COMPLAINTS]++;
                }
                case OPENED -> {
                    if (e.isHumanOpen()) {
                        d.opensTotal++;
                        d.hour(e.occurredAt())[H_OPENS]++;
                        long first = seen.first(e.recipient(), F_OPENED);
                        d.opensUnique += first;
                        // A recipient is in one variant only: its first open in the campaign is its first in the variant.
                        long[] v = d.variant(e.variant());
                        v[V_OPENS]++;
                        v[V_OPENS_UNIQUE] += first;
                    } else {
                        d.machineTotal++;
                        d.hour(e.occurredAt())[H_MACHINE]++;
                        d.machineUnique += seen.first(e.recipient(), F_MACHINE_OPENED);
                    }
                }
                case CLICKED -> {
                    d.clicksTotal++;
                    d.hour(e.occurredAt())[H_CLICKS]++;
                    long firstClick = seen.first(e.recipient(), F_CLICKED);
                    d.clicksUnique += firstClick;
                    long[] v = d.variant(e.variant());
                    v[V_CLICKS]++;
                    v[V_CLICKS_UNIQUE] += firstClick;
                    if (e.linkIndex() != null) {
                        long[] link = d.links.computeIfAbsent(e.linkIndex(), i -> new long[2]);
                        link[0]++;
                        link[1] += seen.firstOnLink(e.linkIndex(), e.recipient());
                    }
                }
                case UNSUBSCRIBED -> {
                    long first = seen.first(e.recipient(), F_UNSUBSCRIBED);
                    d.unsubscribes += first;
                    d.hour(e.occurredAt())[H_UNSUBSCRIBES] += first;
                }
                default -> {
                }
            }
        }
        if (d.last == null) {
            return;
        }
        seen.write();
        jdbc.sql("""
                update campaign_report set sent = sent + ?, delivered = delivered + ?, opens_total = opens_total + ?,
                    opens_unique = opens_unique + ?, machine_opens_total = machine_opens_total + ?,
                    machine_opens_unique = machine_opens_unique + ?, clicks_total = clicks_total + ?,
                    clicks_unique = clicks_unique + ?, unsubscribes = unsubscribes + ?, hard_bounces = hard_bounces + ?,
                    soft_bounces = soft_bounces + ?, complaints = complaints + ?, position_tx = ?, position_id = ?,
                    updated_at = ?
                where campaign_id = ?""")
                .params(d.sent, d.delivered, d.opensTotal, d.opensUnique, d.machineTotal, d.machineUnique, d.clicksTotal,
                        d.clicksUnique, d.unsubscribes, d.hard, d.soft, d.complaints, d.last.tx(), d.last.id(),
                        Times.sql(now), campaign.id())
                .update();
        d.hours.forEach((hour, c) -> {
            int moved = jdbc.sql("""
                    update campaign_report_hour set delivered = delivered + ?, opens = opens + ?,
                        machine_opens = machine_opens + ?, clicks = clicks + ?, unsubscribes = unsubscribes + ?,
                        bounces = bounces + ?, complaints = complaints + ?
                    where campaign_id = ? and hour_start = ?""")
                    .params(c[0], c[1], c[2], c[3], c[4], c[5], c[6], campaign.id(), Times.sql(hour)).update();
            if (moved == 0) {
                jdbc.sql("""
                        insert into campaign_report_hour (campaign_id, hour_start, account_id, delivered, opens,
                            machine_opens, clicks, unsubscribes, bounces, complaints)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                        .params(campaign.id(), Times.sql(hour), campaign.account().value(), c[0], c[1], c[2], c[3], c[4],
                                c[5], c[6])
                        .update();
            }
        });
        d.variants.forEach((index, c) -> jdbc.sql("""
                update campaign_variant set sent = sent + ?, delivered = delivered + ?, opens_unique = opens_unique + ?,
                    opens_total = opens_total + ?, clicks_unique = clicks_unique + ?, clicks_total = clicks_total + ?
                where campaign_id = ? and variant_index = ?""")
                .params(c[V_SENT], c[V_DELIVERED], c[V_OPENS_UNIQUE], c[V_OPENS], c[V_CLICKS_UNIQUE], c[V_CLICKS],
                        campaign.id(), index)
                .update());
        d.links.forEach((index, c) -> {
            int moved = jdbc.sql("""
                    update campaign_report_link set clicks_total = clicks_total + ?, clicks_unique = clicks_unique + ?
                    where campaign_id = ? and link_index = ?""").params(c[0], c[1], campaign.id(), index).update();
            if (moved == 0) {
                jdbc.sql("""
                        insert into campaign_report_link (campaign_id, link_index, account_id, clicks_total, clicks_unique)
                        values (?, ?, ?, ?, ?)""").params(campaign.id(), index, campaign.account().value(), c[0], c[1])
                        .update();
            }
        });
    }

    // The flags of a recipient, in the order of campaign_report_recipient's columns.
    private static final int F_OPENED = 0, F_MACHINE_OPENED = 1, F_CLICKED = 2, F_UNSUBSCRIBED = 3;

    private static String address(String recipient) {
        return recipient.strip().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * What the batch's recipients had already done in one campaign (opened, machine-opened, clicked,
     * unsubscribed; which links they clicked): read in one query each, changed in memory while the
     * batch is counted, written back in one batched insert and one batched update. A batch costs a
     * handful of statements, however many opens it holds.
     */
    private final class Seen {
        private final Ref campaign;
        private final Map<String, boolean[]> flags = new HashMap<>();
        private final Set<String> fresh = new java.util.HashSet<>();
        private final Set<String> changed = new java.util.HashSet<>();
        private final Set<String> linkClicks = new java.util.HashSet<>();
        private final List<Object[]> newLinkClicks = new ArrayList<>();

        Seen(Ref campaign, List<Outcome> events, StreamPosition counted) {
            this.campaign = campaign;
            List<String> recipients = events.stream()
                    .filter(e -> e.recipient() != null && after(e.position(), counted)
                            && (e.type() == OutcomeType.OPENED || e.type() == OutcomeType.CLICKED
                                    || e.type() == OutcomeType.UNSUBSCRIBED))
                    .map(e -> address(e.recipient())).distinct().toList();
            for (int from = 0; from < recipients.size(); from += 500) {
                List<String> chunk = recipients.subList(from, Math.min(recipients.size(), from + 500));
                List<Object> params = new ArrayList<>(chunk.size() + 1);
                params.add(campaign.id());
                params.addAll(chunk);
                String in = SqlLists.placeholders(chunk.size());
                jdbc.sql("select recipient, opened, machine_opened, clicked, unsubscribed from campaign_report_recipient"
                        + " where campaign_id = ? and recipient in (" + in + ")").params(params)
                        .query((rs, n) -> flags.put(rs.getString(1), new boolean[] {rs.getBoolean(2), rs.getBoolean(3),
                                rs.getBoolean(4), rs.getBoolean(5)}))
                        .list();
                jdbc.sql("select link_index, recipient from campaign_report_link_click where campaign_id = ? and recipient in ("
                        + in + ")").params(params)
                        .query((rs, n) -> linkClicks.add(rs.getInt(1) + ":" + rs.getString(2))).list();
            }
        }

        /** 1 the first time this recipient does {@code what} in this campaign, else 0. */
        long first(String recipient, int what) {
            if (recipient == null) {
                return 0;
            }
            String address = address(recipient);
            boolean[] done = flags.computeIfAbsent(address, a -> {
                fresh.add(a);
                return new boolean[4];
            });
            if (done[what]) {
                return 0;
            }
            done[what] = true;
            if (!fresh.contains(address)) {
                changed.add(address);
            }
            return 1;
        }

        /** 1 the first time this recipient clicks this link in this campaign, else 0. */
        long firstOnLink(int index, String recipient) {
            if (recipient == null) {
                return 0;
            }
            String address = address(recipient);
            if (!linkClicks.add(index + ":" + address)) {
                return 0;
            }
            newLinkClicks.add(new Object[] {campaign.id(), index, address});
            return 1;
        }

        void write() {
            List<Object[]> inserts = new ArrayList<>();
            for (String address : fresh) {
                boolean[] f = flags.get(address);
                inserts.add(new Object[] {campaign.id(), address, campaign.account().value(), f[0], f[1], f[2], f[3]});
            }
            List<Object[]> updates = new ArrayList<>();
            for (String address : changed) {
                boolean[] f = flags.get(address);
                updates.add(new Object[] {f[0], f[1], f[2], f[3], campaign.id(), address});
            }
            if (!inserts.isEmpty()) {
                batches.batchUpdate("""
                        insert into campaign_report_recipient (campaign_id, recipient, account_id, opened, machine_opened,
                            clicked, unsubscribed) values (?, ?, ?, ?, ?, ?, ?)""", inserts);
            }
            if (!updates.isEmpty()) {
                batches.batchUpdate("""
                        update campaign_report_recipient set opened = ?, machine_opened = ?, clicked = ?, unsubscribed = ?
                        where campaign_id = ? and recipient = ?""", updates);
            }
            if (!newLinkClicks.isEmpty()) {
                batches.batchUpdate("insert into campaign_report_link_click (campaign_id, link_index, recipient) values (?, ?, ?)",
                        newLinkClicks);
            }
        }
    }

    private static boolean after(StreamPosition position, StreamPosition mark) {
        return position.tx() > mark.tx() || (position.tx() == mark.tx() && position.id() > mark.id());
    }
}
