package io.mailtree.keys;

import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.shared.outcomes.OutcomeConsumer;
import io.mailtree.shared.outcomes.OutcomeType;
import io.mailtree.shared.outcomes.StreamPosition;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * D-18: counts what became of each key's mail, per key and hour, from the delivery outcome stream
 * (ADR 0010, ADR 0017), then lets {@link KeyAlerts} judge the keys the batch touched (D-19).
 *
 * <p>What counts as what: an {@code ACCEPTED} event adds its recipients to {@code sent}; a
 * {@code DELIVERED} recipient to {@code delivered}; a {@code BOUNCED} one to {@code hard_bounces} or
 * {@code soft_bounces} by its bounce class, except that a refusal whose diagnostic carries an RFC 3463
 * {@code 5.7.x} code (policy: spam, DMARC, reputation) counts as a {@code block}, not as a bad
 * address; a {@code COMPLAINED} one to {@code complaints}; an {@code UNSUBSCRIBED} one (campaign mail's
 * unsubscribe link, ADR 0027) to {@code unsubscribes}. Events without a key (mail sent from the
 * application's pages) and of unknown keys are skipped.
 *
 * <p>Idempotent: each key keeps the last stream position counted for it ({@code key_reputation}),
 * written with the counters in the batch's transaction, and an event at or before it is skipped, so
 * a replay of the stream (a renamed consumer, a position moved back) counts nothing twice. A batch is
 * a fixed handful of statements whatever its size: read the keys and their positions, one batched
 * upsert of the hours, one of the positions, then the judge's few.
 */
@Component
class KeyReputationConsumer implements OutcomeConsumer {

    static final String NAME = "keys.reputation";
    /** An RFC 3463 enhanced status code of the security or policy class, permanent. */
    private static final Pattern POLICY = Pattern.compile("(?<![\\d.])5\\.7\\.\\d{1,3}(?![\\d.])");
    private static final Comparator<StreamPosition> ORDER = Comparator.comparingLong(StreamPosition::tx)
            .thenComparingLong(StreamPosition::id);

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final KeyLookup keys;
    private final ReputationCounts counts;
    private final KeyAlerts alerts;
    private final Clock clock;

    KeyReputationConsumer(JdbcClient jdbc, JdbcTemplate jdbcTemplate, KeyLookup keys, ReputationCounts counts,
            KeyAlerts alerts, Clock clock) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.keys = keys;
        this.counts = counts;
        this.alerts = alerts;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Whether a policy refusal: a permanent failure whose diagnostic carries a 5.7.x code. */
    static boolean isBlock(Outcome outcome) {
        return outcome.type() == OutcomeType.BOUNCED && outcome.detail() != null
                && POLICY.matcher(outcome.detail()).find();
    }

    /** The counts one event adds, or null if it counts nothing. */
    static ReputationTotals countsOf(Outcome outcome) {
        switch (outcome.type()) {
            case ACCEPTED -> {
                // The stream's own count (message_event.recipient_count, written by the queue with the event);
                // an event without one stands for its one message.
                long recipients = outcome.recipientCount() == null ? 1 : outcome.recipientCount();
                return new ReputationTotals(recipients, 0, 0, 0, 0, 0, 0);
            }
            case DELIVERED -> {
                return new ReputationTotals(0, 1, 0, 0, 0, 0, 0);
            }
            case BOUNCED -> {
                if (isBlock(outcome)) {
                    return new ReputationTotals(0, 0, 0, 0, 0, 1, 0);
                }
                return Outcome.HARD.equals(outcome.bounceClass()) ? new ReputationTotals(0, 0, 1, 0, 0, 0, 0)
                        : new ReputationTotals(0, 0, 0, 1, 0, 0, 0);
            }
            case COMPLAINED -> {
                return new ReputationTotals(0, 0, 0, 0, 1, 0, 0);
            }
            case UNSUBSCRIBED -> {
                // Written once per contact that leaves through a campaign's link (ADR 0027).
                return new ReputationTotals(0, 0, 0, 0, 0, 0, 1);
            }
            default -> {
                return null;
            }
        }
    }

    private record Bucket(UUID key, Instant hour) {
        static final Comparator<Bucket> ORDER = Comparator.comparing(Bucket::key).thenComparing(Bucket::hour);
    }

    @Override
    public void apply(List<Outcome> outcomes) {
        Map<UUID, List<Outcome>> byKey = new LinkedHashMap<>();
        for (Outcome outcome : outcomes) {
            if (outcome.apiKeyId() != null && countsOf(outcome) != null) {
                byKey.computeIfAbsent(outcome.apiKeyId(), k -> new ArrayList<>()).add(outcome);
            }
        }
        if (byKey.isEmpty()) {
            return;
        }
        Map<UUID, KeyLookup.Key> known = keys.byIds(byKey.keySet());
        Map<UUID, StreamPosition> counted = positions(new ArrayList<>(known.keySet()));
        // Sorted, so rows are always written in one order.
        Map<Bucket, ReputationTotals> increments = new TreeMap<>(Bucket.ORDER);
        Map<UUID, StreamPosition> last = new TreeMap<>();
        byKey.forEach((keyId, events) -> {
            KeyLookup.Key key = known.get(keyId);
            if (key == null) {
                return;
            }
            StreamPosition already = counted.get(keyId);
            for (Outcome outcome : events) {
                if (already != null && ORDER.compare(outcome.position(), already) <= 0) {
                    continue;
                }
                increments.merge(new Bucket(keyId, outcome.occurredAt().truncatedTo(ChronoUnit.HOURS)),
                        countsOf(outcome), ReputationTotals::plus);
                last.put(keyId, outcome.position());
            }
        });
        if (last.isEmpty()) {
            return;
        }
        counts.add(increments.entrySet().stream().map(e -> new ReputationCounts.Increment(
                known.get(e.getKey().key()).account(), e.getKey().key(), e.getKey().hour(), e.getValue())).toList());
        List<Object[]> inserts = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        last.forEach((keyId, position) -> {
            if (counted.containsKey(keyId)) {
                updates.add(new Object[] {position.tx(), position.id(), keyId});
            } else {
                inserts.add(new Object[] {keyId, known.get(keyId).account().value(), position.tx(), position.id()});
            }
        });
        if (!inserts.isEmpty()) {
            jdbcTemplate.batchUpdate("insert into key_reputation (api_key_id, account_id, position_tx, position_id)"
                    + " values (?, ?, ?, ?)", inserts);
        }
        if (!updates.isEmpty()) {
            jdbcTemplate.batchUpdate("update key_reputation set position_tx = ?, position_id = ? where api_key_id = ?",
                    updates);
        }
        alerts.judge(last.keySet().stream().map(known::get).toList(), clock.instant());
    }

    private Map<UUID, StreamPosition> positions(List<UUID> keyIds) {
        Map<UUID, StreamPosition> positions = new HashMap<>();
        if (keyIds.isEmpty()) {
            return positions;
        }
        jdbc.sql("select api_key_id, position_tx, position_id from key_reputation where api_key_id in ("
                + io.mailtree.shared.SqlLists.placeholders(keyIds.size()) + ")")
                .params(new ArrayList<Object>(keyIds))
                .query(rs -> {
                    positions.put(rs.getObject(1, UUID.class), new StreamPosition(rs.getLong(2), rs.getLong(3)));
                });
        return positions;
    }
}
