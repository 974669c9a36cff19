package io.mailtree.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * so that each client gets its own bucket instead of sharing the proxy's. Kept in memory per node,
 * bounded in key length and entry count; a restart forgets, which is acceptable for a throttle.
 */
@Component
public class LoginThrottle {

    static final int FREE_FAILURES = 5;
    static final int FREE_FAILURES_PER_LOGIN = 20;
    static final int FREE_FAILURES_PER_ADDRESS = 50;
    static final int MAX_ENTRIES = 100_000;
    static final int MAX_KEY_LENGTH = 254;
    private static final Duration CLIENT_FIRST_WAIT = Duration.ofSeconds(30);
    private static final Duration CLIENT_MAX_WAIT = Duration.ofMinutes(15);
    private static final Duration LOGIN_FIRST_WAIT = Duration.ofSeconds(2);
    private static final Duration LOGIN_MAX_WAIT = Duration.ofMinutes(1);
    /** A bucket untouched this long is forgotten: its wait is over and its count starts again. */
    private static final Duration FORGET_AFTER = Duration.ofHours(1);

    private final Clock clock;
    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

    LoginThrottle(Clock clock) {
        this.clock = clock;
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
        Duration wait = Duration.ZERO;
        for (Duration next : List.of(remaining(pairKey(login, address), now, FREE_FAILURES, CLIENT_FIRST_WAIT, CLIENT_MAX_WAIT),
                remaining(loginKey(login), now, FREE_FAILURES_PER_LOGIN, LOGIN_FIRST_WAIT, LOGIN_MAX_WAIT),
                remaining(addressKey(address), now, FREE_FAILURES_PER_ADDRESS, CLIENT_FIRST_WAIT, CLIENT_MAX_WAIT))) {
            wait = next.compareTo(wait) > 0 ? next : wait;
        }
        return wait;
    }

    public void recordFailure(String login, String address) {
        Instant now = clock.instant();
        if (failures.size() >= MAX_ENTRIES) {
            makeRoom(now);
        }
        bump(pairKey(login, address), now);
        bump(loginKey(login), now);
        bump(addressKey(address), now);
    }

    /** A successful sign-in clears that client's failures for the login; the other counts still age out. */
    public void recordSuccess(String login, String address) {
        failures.remove(pairKey(login, address));
    }

    /** A successful sign-in whose client address is not at hand: clears the login's failures from every address. */
    public void recordSuccess(String login) {
        String suffix = " " + login(login);
        failures.keySet().removeIf(key -> key.startsWith("pair:") && key.endsWith(suffix));
    }

    /** Number of buckets held, for tests of the memory bound. */
    int size() {
        return failures.size();
    }

    private Duration remaining(String key, Instant now, int free, Duration first, Duration max) {
        Failures entry = failures.get(key);
        if (entry == null || entry.count < free || entry.last.plus(FORGET_AFTER).isBefore(now)) {
            return Duration.ZERO;
        }
        Instant until = entry.last.plus(waitAfter(entry.count - free, first, max));
        return now.isBefore(until) ? Duration.between(now, until) : Duration.ZERO;
    }

    /** {@code first} after the first failure past the free ones, doubled at each further one, at most {@code max}. */
    static Duration waitAfter(int failuresPastFree, Duration first, Duration max) {
        int doublings = Math.min(failuresPastFree, 20);
        Duration wait = first.multipliedBy(1L << doublings);
        return wait.compareTo(max) > 0 ? max : wait;
    }

    private void bump(String key, Instant now) {
        failures.compute(key, (k, f) -> f == null || f.last.plus(FORGET_AFTER).isBefore(now) ? new Failures(1, now)
                : new Failures(f.count + 1, now));
    }

    /** Forgets aged buckets; if that is not enough (a flood of distinct logins), the oldest tenth. */
    private void makeRoom(Instant now) {
        failures.entrySet().removeIf(e -> e.getValue().last.plus(FORGET_AFTER).isBefore(now));
        if (failures.size() >= MAX_ENTRIES) {
            failures.entrySet().stream().sorted(Comparator.comparing(e -> e.getValue().last)).limit(MAX_ENTRIES / 10)
                    .map(Map.Entry::getKey).toList().forEach(failures::remove);
        }
    }

    private static String pairKey(String login, String address) {
        return "pair:" + address(address) + " " + login(login);
    }

    private static String loginKey(String login) {
        return "login:" + login(login);
    }

    private static String addressKey(String address) {
        return "addr:" + address(address);
    }

    /** Logins longer than an e-mail address can be share one bucket rather than each taking memory. */
    private static String login(String login) {
        String key = login == null ? "" : login.strip().toLowerCase(Locale.ROOT);
        return key.length() > MAX_KEY_LENGTH ? key.substring(0, MAX_KEY_LENGTH) : key;
    }

    private static String address(String address) {
        String key = address == null ? "unknown" : address;
        return key.length() > 64 ? key.substring(0, 64) : key;
    }

    private record Failures(int count, Instant last) {
    }
}
