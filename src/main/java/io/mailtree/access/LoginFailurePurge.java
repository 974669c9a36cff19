package io.mailtree.access;

import io.mailtree.shared.RetentionJob;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps the sign-in throttle's table small: deletes the buckets older than the throttle forgets
 * them, then, if a flood of distinct logins or addresses still leaves more than
 * {@value LoginThrottle#MAX_ENTRIES} rows, the oldest ones beyond that (their waits are the nearest
 * to over). Several nodes may run passes at once: each statement stands alone.
 */
@Component
class LoginFailurePurge extends RetentionJob {

    private static final Logger log = LoggerFactory.getLogger(LoginFailurePurge.class);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final int maxEntries;

    @Autowired
    LoginFailurePurge(JdbcClient jdbc, Clock clock, @Value("${mailtree.login-throttle.purge-every:1m}") Duration every) {
        this(jdbc, clock, every, LoginThrottle.MAX_ENTRIES);
    }

    /** With another bound on the table's rows, for tests of the bound. */
    LoginFailurePurge(JdbcClient jdbc, Clock clock, Duration every, int maxEntries) {
        super("login-failure-purge", log, every, "aged sign-in failure counts deleted");
        this.jdbc = jdbc;
        this.clock = clock;
        this.maxEntries = maxEntries;
    }

    @Override
    protected synchronized int runOnce() {
        int deleted = jdbc.sql("delete from login_failure where last_failure_at < ?")
                .param(Times.sql(clock.instant().minus(LoginThrottle.FORGET_AFTER))).update();
        long rows = jdbc.sql("select count(*) from login_failure").query(Long.class).single();
        if (rows > maxEntries) {
            deleted += jdbc.sql("""
                    delete from login_failure where bucket in (
                        select bucket from login_failure order by last_failure_at, bucket limit ?)""")
                    .param(rows - maxEntries).update();
        }
        return deleted;
    }
}
