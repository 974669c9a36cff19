package io.mailtree.keys;

import io.mailtree.shared.RetentionJob;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * D-18 keeps each key's hourly counters 90 days ({@code mailtree.retention.reputation}): a pass every
 * {@code mailtree.retention.every} deletes older hours (on the hour index, a whole hour at a time so
 * the 24 h, 7 d and 30 d windows never see a half-deleted hour), and alerts past the same age.
 */
@Component
class ReputationRetention extends RetentionJob {

    private static final Logger log = LoggerFactory.getLogger(ReputationRetention.class);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration keep;

    ReputationRetention(JdbcClient jdbc, Clock clock,
            @Value("${mailtree.retention.reputation:90d}") Duration keep,
            @Value("${mailtree.retention.every:10m}") Duration every) {
        super("reputation-retention", log, every, "hourly reputation rows deleted");
        if (keep.compareTo(Duration.ofDays(31)) < 0) {
            throw new IllegalArgumentException("mailtree.retention.reputation must keep at least the 30-day window");
        }
        this.jdbc = jdbc;
        this.clock = clock;
        this.keep = keep;
    }

    /** One pass: answers how many hour rows it deleted. */
    @Override
    protected synchronized int runOnce() {
        Object cutoff = Times.sql(clock.instant().minus(keep).truncatedTo(ChronoUnit.HOURS));
        int hours = jdbc.sql("delete from key_reputation_hour where hour_start < ?").param(cutoff).update();
        jdbc.sql("delete from key_alert where raised_at < ?").param(cutoff).update();
        return hours;
    }
}
