package io.mailtree.inbound;

import io.mailtree.shared.RetentionJob;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps the reports that come back from filling the disk: anyone can send to the bounce domain, and
 * every report is stored, matched or not. A report is deleted {@code mailtree.retention.reports}
 * after it arrived (by default as long as the history of messages, {@code mailtree.retention.history},
 * 90 days). Works in batches of 1,000 rows, each its own statement, on the arrival-time index; several
 * nodes may run passes at once.
 */
@Component
class ReportRetention extends RetentionJob {

    private static final Logger log = LoggerFactory.getLogger(ReportRetention.class);
    private static final int BATCH = 1_000;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration keep;

    ReportRetention(JdbcClient jdbc, Clock clock,
            @Value("${mailtree.retention.reports:${mailtree.retention.history:90d}}") Duration keep,
            @Value("${mailtree.retention.every:10m}") Duration every) {
        super("report-retention", log, every, "inbound reports deleted");
        if (keep.isNegative() || keep.isZero()) {
            throw new IllegalArgumentException("mailtree.retention.reports must be positive");
        }
        this.jdbc = jdbc;
        this.clock = clock;
        this.keep = keep;
    }

    /** One pass: deletes every report older than the retention; answers how many. */
    @Override
    protected synchronized int runOnce() {
        Object cutoff = Times.sql(clock.instant().minus(keep));
        int deleted = 0;
        while (true) {
            List<Object> ids = new ArrayList<>(jdbc.sql(
                    "select id from inbound_report where received_at < ? order by received_at limit " + BATCH)
                    .param(cutoff).query(Long.class).list());
            if (ids.isEmpty()) {
                return deleted;
            }
            jdbc.sql("delete from inbound_report where id in (" + SqlLists.placeholders(ids.size()) + ")")
                    .params(ids).update();
            deleted += ids.size();
        }
    }
}
