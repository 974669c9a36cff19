package io.mailtree.access;

import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Slows down password guessing with an increasing wait rather than a hard lock, so that nobody can
 * lock the platform operator (or any user) out by failing on purpose:
 * <ul>
 * <li>one login from one client address: after {@value #FREE_FAILURES} failures each further
 * attempt waits 30 s, doubled at every failure up to 15 minutes;</li>
 * <li>one login from all addresses together: after {@value #FREE_FAILURES_PER_LOGIN} failures a
 * wait of 2 s, doubled up to one minute, so guessing spread over many addresses stays slow while
 * the rightful owner, at their own address, waits a minute at most;</li>
 * <li>one address for all logins: after {@value #FREE_FAILURES_PER_ADDRESS} failures, 30 s doubled
 * up to 15 minutes.</li>
 * </ul>
 * During a wait the attempt is refused whether the password is right or not. The client address is
 * the request's remote address: behind a reverse proxy, configure {@code server.forward-headers-strategy}
 * so that each client gets its own bucket instead of sharing the proxy's.
 * <p>The counts are rows of {@code login_failure} in the database every node shares (ADR 0019), so a
 * guesser spreading attempts over several nodes meets one throttle. Keys are bounded in length; a
 * bucket untouched for an hour counts as empty and {@link LoginFailurePurge} deletes it, and holds
 * the table to {@value #MAX_ENTRIES} rows.
 */
@Component
public class LoginThrottle {

    static final int FREE_FAILURES = 5;
    static final int FREE_FAILURES_PER_LOGIN = 20;
    static final int FREE_FAILURES_PER_ADDRESS = 50;
    static final int MAX_ENTRIES = 100_000;
    static final int MAX_KEY_LENGTH = 254;
    private static final int MAX_ADDRESS_LENGTH = 64;
    private static final Duration CLIENT_FIRST_WAIT = Duration.ofSeconds(30);
    private static final Duration CLIENT_MAX_WAIT = Duration.ofMinutes(15);
    private static final Duration LOGIN_FIRST_WAIT = Duration.ofSeconds(2);
    private static final Duration LOGIN_MAX_WAIT = Duration.ofMinutes(1);
    /** A bucket untouched this long is forgotten: its wait is over and its count starts again. */
    static final Duration FORGET_AFTER = Duration.ofHours(1);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final String bump;
    private final int freeFailuresPerAddress;

    LoginThrottle(JdbcClient jdbc, DatabaseKind database, Clock clock) {
        this(jdbc, database, clock, FREE_FAILURES_PER_ADDRESS);
    }

    /**
     * {@code mailtree.sign-in.free-failures-per-address} (default {@value #FREE_FAILURES_PER_ADDRESS})
     * exists for the test suite, whose every client is 127.0.0.1: the count of one address is shared
     * through the database by every test context, so the suite's deliberate failures would add up to
     * locking the address out. Production has no reason to change it.
     */
    @org.springframework.beans.factory.annotation.Autowired
    LoginThrottle(JdbcClient jdbc, DatabaseKind database, Clock clock,
            @org.springframework.beans.factory.annotation.Value("${mailtree.sign-in.free-failures-per-address:"
                    + FREE_FAILURES_PER_ADDRESS + "}") int freeFailuresPerAddress) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.freeFailuresPerAddress = freeFailuresPerAddress;
        // One statement per bucket, atomic on the row: concurrent failures on several nodes all count.
        this.bump = database.isPostgres() ? """
                insert into login_failure (bucket, failures, last_failure_at) values (?, 1, ?)
                on conflict (bucket) do update set
                    failures = case when login_failure.last_failure_at < ? then 1 else login_failure.failures + 1 end,
                    last_failure_at = excluded.last_failure_at"""
                : """
                merge into login_failure t
                using (values (cast(? as varchar(340)), cast(? as timestamp with time zone),
                               cast(? as timestamp with time zone))) s (bucket, at, forget_before)
                on t.bucket = s.bucket
                when matched then update set
                    failures = case when t.last_failure_at < s.forget_before then 1 else t.failures + 1 end,
                    last_failure_at = s.at
                when not matched then insert (bucket, failures, last_failure_at) values (s.bucket, 1, s.at)""";
    }

    /** Whether an attempt for this login from this address must wait. */
    public boolean isBlocked(String login, String address) {
        return !remainingWait(login, address).isZero();
    }

    /**
     * How long an attempt for this login from this address must still wait: the longest of its
     * waits, or zero when it may try now. Refusals tell the client this, not a fixed figure.
     */
    public Duration remainingWait(String login, String address) {
        Instant now = clock.instant();
        String pair = pairKey(login, address);
        String byLogin = loginKey(login);
        String byAddress = addressKey(address);
        Map<String, Failures> found = new HashMap<>();
        jdbc.sql("select bucket, failures, last_failure_at from login_failure where bucket in (?, ?, ?)")
                .params(pair, byLogin, byAddress)
                .query((rs, n) -> found.put(rs.getString(1), new Failures(rs.getInt(2), Times.instant(rs, "last_failure_at"))))
                .list();
        Duration wait = Duration.ZERO;
        for (Duration next : List.of(remaining(found.get(pair), now, FREE_FAILURES, CLIENT_FIRST_WAIT, CLIENT_MAX_WAIT),
                remaining(found.get(byLogin), now, FREE_FAILURES_PER_LOGIN, LOGIN_FIRST_WAIT, LOGIN_MAX_WAIT),
                remaining(found.get(byAddress), now, freeFailuresPerAddress, CLIENT_FIRST_WAIT, CLIENT_MAX_WAIT))) {
            wait = next.compareTo(wait) > 0 ? next : wait;
        }
        return wait;
    }

    public void recordFailure(String login, String address) {
        Instant now = clock.instant();
        Object at = Times.sql(now);
        Object forgetBefore = Times.sql(now.minus(FORGET_AFTER));
        for (String bucket : List.of(pairKey(login, address), loginKey(login), addressKey(address))) {
            jdbc.sql(bump).params(bucket, at, forgetBefore).update();
        }
    }

    /** A successful sign-in clears that client's failures for the login; the other counts still age out. */
    public void recordSuccess(String login, String address) {
        jdbc.sql("delete from login_failure where bucket = ?").param(pairKey(login, address)).update();
    }

    /** A successful sign-in whose client address is not at hand: clears the login's failures from every address. */
    public void recordSuccess(String login) {
        jdbc.sql("delete from login_failure where bucket like ? escape '!'")
                .param("pair:%" + " " + escapeLike(login(login))).update();
    }

    /**
     * The wait that applies to a bucket: none under its free failures or once forgotten, otherwise
     * from its last failure on.
     */
    static Duration remaining(Failures entry, Instant now, int free, Duration first, Duration max) {
        if (entry == null || entry.count() < free || entry.last().plus(FORGET_AFTER).isBefore(now)) {
            return Duration.ZERO;
        }
        Instant until = entry.last().plus(waitAfter(entry.count() - free, first, max));
        return now.isBefore(until) ? Duration.between(now, until) : Duration.ZERO;
    }

    /** {@code first} after the first failure past the free ones, doubled at each further one, at most {@code max}. */
    static Duration waitAfter(int failuresPastFree, Duration first, Duration max) {
        int doublings = Math.min(failuresPastFree, 20);
        Duration wait = first.multipliedBy(1L << doublings);
        return wait.compareTo(max) > 0 ? max : wait;
    }

    static String pairKey(String login, String address) {
        return "pair:" + address(address) + " " + login(login);
    }

    static String loginKey(String login) {
        return "login:" + login(login);
    }

    static String addressKey(String address) {
        return "addr:" + address(address);
    }

    /** Logins longer than an e-mail address can be share one bucket rather than each taking room. */
    private static String login(String login) {
        String key = login == null ? "" : login.strip().toLowerCase(Locale.ROOT);
        return key.length() > MAX_KEY_LENGTH ? key.substring(0, MAX_KEY_LENGTH) : key;
    }

    private static String address(String address) {
        String key = address == null ? "unknown" : address;
        return key.length() > MAX_ADDRESS_LENGTH ? key.substring(0, MAX_ADDRESS_LENGTH) : key;
    }

    private static String escapeLike(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    /** One bucket's count of failures and the time of its last one. */
    record Failures(int count, Instant last) {
    }
}
