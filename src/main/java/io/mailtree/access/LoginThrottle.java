package io.mailtree.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Slows down password guessing: after {@value #MAX_FAILURES} failed sign-ins for one login (or 50
 * from one address) within 15 minutes, further attempts are refused until the window passes,
 * whether the password is right or not. Kept in memory per node: a restart forgets, which is
 * acceptable for a throttle (not a lock-out).
 */
@Component
public class LoginThrottle {

    static final int MAX_FAILURES = 5;
    private static final int MAX_FAILURES_PER_ADDRESS = 50;
    private static final Duration WINDOW = Duration.ofMinutes(15);

    private final Clock clock;
    private final ConcurrentHashMap<String, Window> failures = new ConcurrentHashMap<>();

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    public boolean isBlocked(String login, String address) {
        Instant now = clock.instant();
        return count("login:" + key(login), now) >= MAX_FAILURES || count("addr:" + address, now) >= MAX_FAILURES_PER_ADDRESS;
    }

    public void recordFailure(String login, String address) {
        Instant now = clock.instant();
        bump("login:" + key(login), now);
        bump("addr:" + address, now);
        if (failures.size() > 100_000) {
            failures.entrySet().removeIf(e -> e.getValue().start.plus(WINDOW).isBefore(now));
        }
    }

    public void recordSuccess(String login) {
        failures.remove("login:" + key(login));
    }

    private int count(String key, Instant now) {
        Window window = failures.get(key);
        return window == null || window.start.plus(WINDOW).isBefore(now) ? 0 : window.count;
    }

    private void bump(String key, Instant now) {
        failures.compute(key, (k, w) -> w == null || w.start.plus(WINDOW).isBefore(now) ? new Window(now, 1)
                : new Window(w.start, w.count + 1));
    }

    private static String key(String login) {
        return login == null ? "" : login.strip().toLowerCase(Locale.ROOT);
    }

    private record Window(Instant start, int count) {
    }
}
