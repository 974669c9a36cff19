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
    private final Clock clock;
    /** Bulk id → campaign: fixed when the campaign is created, so cached. */
    private final Map<UUID, Ref> campaigns = new ConcurrentHashMap<>();

    private record Ref(long id, AccountId account) {
    }

    CampaignReportCounters(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
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
        StreamPosition last;

        long[] hour(Instant at) {
            return hours.computeIfAbsent(at.truncatedTo(ChronoUnit.HOURS), h -> new long[7]);
        }
    }

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
        for (Outcome e : events) {
            if (!after(e.position(), counted)) {
                continue;
            }
            d.last = e.position();
            switch (e.type()) {
                case QUEUED -> d.sent++;
                case DELIVERED -> {
                    d.delivered++;
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
                        d.opensUnique += first(campaign, e.recipient(), "opened");
                    } else {
                        d.machineTotal++;
                        d.hour(e.occurredAt())[H_MACHINE]++;
                        d.machineUnique += first(campaign, e.recipient(), "machine_opened");
                    }
                }
                case CLICKED -> {
                    d.clicksTotal++;
                    d.hour(e.occurredAt())[H_CLICKS]++;
                    d.clicksUnique += first(campaign, e.recipient(), "clicked");
                    if (e.linkIndex() != null) {
                        long[] link = d.links.computeIfAbsent(e.linkIndex(), i -> new long[2]);
                        link[0]++;
                        link[1] += firstOnLink(campaign, e.linkIndex(), e.recipient());
                    }
                }
                case UNSUBSCRIBED -> {
                    long first = first(campaign, e.recipient(), "unsubscribed");
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

    /** 1 the first time this recipient does {@code what} in this campaign, else 0. */
    private long first(Ref campaign, String recipient, String what) {
        if (recipient == null) {
            return 0;
        }
        String address = recipient.strip().toLowerCase(java.util.Locale.ROOT);
        // what is one of four column names fixed in this class, never input.
        if (jdbc.sql("update campaign_report_recipient set " + what + " = true where campaign_id = ? and recipient = ?"
                + " and not " + what).params(campaign.id(), address).update() == 1) {
            return 1;
        }
        if (jdbc.sql("select count(*) from campaign_report_recipient where campaign_id = ? and recipient = ?")
                .params(campaign.id(), address).query(Integer.class).single() > 0) {
            return 0;
        }
        jdbc.sql("insert into campaign_report_recipient (campaign_id, recipient, account_id, " + what + ") values (?, ?, ?, true)")
                .params(campaign.id(), address, campaign.account().value()).update();
        return 1;
    }

    private long firstOnLink(Ref campaign, int index, String recipient) {
        if (recipient == null) {
            return 0;
        }
        String address = recipient.strip().toLowerCase(java.util.Locale.ROOT);
        if (jdbc.sql("select count(*) from campaign_report_link_click where campaign_id = ? and link_index = ? and recipient = ?")
                .params(campaign.id(), index, address).query(Integer.class).single() > 0) {
            return 0;
        }
        jdbc.sql("insert into campaign_report_link_click (campaign_id, link_index, recipient) values (?, ?, ?)")
                .params(campaign.id(), index, address).update();
        return 1;
    }

    private static boolean after(StreamPosition position, StreamPosition mark) {
        return position.tx() > mark.tx() || (position.tx() == mark.tx() && position.id() > mark.id());
    }
}
