package io.mailtree.keys;

import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Times;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * D-19's thresholds as the operator set them (defaults from the migration: hard bounces 5 % warn and
 * 8 % pause, complaints 0.08 % warn and 0.3 % pause, judged over 7 days once a key sent 500), each
 * with its action. Read once a batch by the judge, so a change applies from the next batch on.
 */
@Service
public class ReputationThresholds {

    /** The windows a key can be judged over, in hours: a day, a week, 30 days. */
    public static final List<Integer> WINDOWS = List.of(24, 168, 720);
    public static final int MAX_MINIMUM_VOLUME = 10_000_000;

    /** What a crossing does. */
    public enum Action {
        WARN, PAUSE
    }

    /** One threshold: a rate of a metric at or above which the action is taken. */
    public record Threshold(String code, ReputationMetric metric, BigDecimal ratePercent, Action action) {
    }

    /** How keys are judged: the minimum volume in the window, the window, and the thresholds. */
    public record Settings(int minimumVolume, int windowHours, List<Threshold> thresholds) {
    }

    /** A change of one threshold, as the console sends it. */
    public record Change(BigDecimal ratePercent, String action) {
    }

    /**
     * The published reference points shown beside the thresholds: mailbox providers ask bulk senders
     * to stay under 0.3 % spam complaints; large providers review accounts near 5 % bounces and 0.1 %
     * complaints.
     */
    public record Reference(ReputationMetric metric, BigDecimal ratePercent, String source) {
    }

    public static final List<Reference> REFERENCES = List.of(
            new Reference(ReputationMetric.COMPLAINT, new BigDecimal("0.3"), "bulk-sender-guidelines"),
            new Reference(ReputationMetric.HARD_BOUNCE, new BigDecimal("5"), "provider-review"),
            new Reference(ReputationMetric.COMPLAINT, new BigDecimal("0.1"), "provider-review"));

    private final JdbcClient jdbc;
    private final Clock clock;

    ReputationThresholds(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public Settings settings() {
        List<Threshold> thresholds = jdbc.sql("select code, metric, rate_percent, action from reputation_threshold"
                + " order by sort_order, code")
                .query((rs, n) -> new Threshold(rs.getString(1), ReputationMetric.valueOf(rs.getString(2)),
                        rs.getBigDecimal(3).stripTrailingZeros(), Action.valueOf(rs.getString(4))))
                .list();
        return jdbc.sql("select minimum_volume, window_hours from reputation_setting where id = 1")
                .query((rs, n) -> new Settings(rs.getInt(1), rs.getInt(2), thresholds)).single();
    }

    /**
     * The operator's change: the minimum volume (1 to 10,000,000), the window (24, 168 or 720 hours),
     * and for each threshold named its rate (above 0, at most 100) and action. All checked before
     * anything is written; a bad value changes nothing.
     */
    @Transactional
    public Settings change(int minimumVolume, int windowHours, Map<String, Change> changes, String operator) {
        if (minimumVolume < 1 || minimumVolume > MAX_MINIMUM_VOLUME) {
            throw DomainProblem.invalid("invalid_minimum_volume", "the minimum volume is a whole number from 1 to "
                    + MAX_MINIMUM_VOLUME, MAX_MINIMUM_VOLUME).with("field", "minimumVolume");
        }
        if (!WINDOWS.contains(windowHours)) {
            throw DomainProblem.invalid("invalid_window", "the window is 24, 168 or 720 hours").with("field",
                    "windowHours");
        }
        Settings current = settings();
        for (Map.Entry<String, Change> change : changes.entrySet()) {
            if (current.thresholds().stream().noneMatch(t -> t.code().equals(change.getKey()))) {
                throw DomainProblem.invalid("unknown_threshold", "no threshold " + change.getKey());
            }
            BigDecimal rate = change.getValue().ratePercent();
            if (rate == null || rate.signum() <= 0 || rate.compareTo(BigDecimal.valueOf(100)) > 0 || rate.scale() > 3) {
                throw DomainProblem.invalid("invalid_threshold_rate",
                        "a threshold is a percentage above 0 and at most 100, with at most 3 decimals")
                        .with("field", change.getKey());
            }
            String action = change.getValue().action();
            if (action == null || java.util.Arrays.stream(Action.values()).noneMatch(a -> a.name().equals(action))) {
                throw DomainProblem.invalid("invalid_threshold_action", "the action is WARN or PAUSE")
                        .with("field", change.getKey());
            }
        }
        changes.forEach((code, change) -> jdbc.sql("update reputation_threshold set rate_percent = ?, action = ?"
                + " where code = ?").params(change.ratePercent(), change.action(), code).update());
        jdbc.sql("update reputation_setting set minimum_volume = ?, window_hours = ?, updated_at = ?, updated_by = ?"
                + " where id = 1").params(minimumVolume, windowHours, Times.sql(clock.instant()), operator).update();
        return settings();
    }
}
