package io.mailtree.notifications;

import io.mailtree.shared.DomainProblem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Limits how often a request can make Mailtree e-mail someone (a password-reset link, a new
 * verification link, a sender confirmation), so that nobody can use Mailtree to flood an address
 * ("mail bombing") or flood many from one place: per purpose, at most {@value #PER_RECIPIENT}
 * messages to one address and {@value #PER_CLIENT} asked by one client (an address, or an account)
 * in {@value #WINDOW_MINUTES} minutes. The limit applies whether or not the address belongs to an
 * account, so a refusal reveals nothing about which addresses have accounts. Kept in memory per
 * node, bounded in key length and entry count.
 */
@Component
public class MailRequestLimits {

    public static final int PER_RECIPIENT = 3;
    public static final int PER_CLIENT = 20;
    static final int WINDOW_MINUTES = 15;
    static final int MAX_ENTRIES = 50_000;
    private static final Duration WINDOW = Duration.ofMinutes(WINDOW_MINUTES);

    private final Clock clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    MailRequestLimits(Clock clock) {
        this.clock = clock;
    }

    /**
     * Counts one message of {@code purpose} to {@code recipient} asked by {@code client}, or refuses it.
     *
     * @throws DomainProblem 429 {@code too_many_mail_requests} (with the minutes to wait) when either
     *         limit is reached; nothing is counted then
     */
    public synchronized void acquire(String purpose, String recipient, String client) {
        Instant now = clock.instant();
        String recipientKey = purpose + "|to|" + cut(recipient == null ? "" : recipient.strip().toLowerCase(Locale.ROOT));
        String clientKey = purpose + "|from|" + cut(client == null ? "unknown" : client);
        Window toRecipient = current(recipientKey, now);
        Window fromClient = current(clientKey, now);
        if (toRecipient.count >= PER_RECIPIENT || fromClient.count >= PER_CLIENT) {
            Instant until = (toRecipient.count >= PER_RECIPIENT ? toRecipient : fromClient).start.plus(WINDOW);
            long minutes = Math.max(1, (Duration.between(now, until).toSeconds() + 59) / 60);
            throw new DomainProblem(429, "too_many_mail_requests",
                    "too many e-mails were asked for this address or from this client; wait " + minutes + " minutes",
                    minutes).with("retryAfterMinutes", minutes);
        }
        if (windows.size() >= MAX_ENTRIES) {
            makeRoom(now);
        }
        windows.put(recipientKey, new Window(toRecipient.start, toRecipient.count + 1));
        windows.put(clientKey, new Window(fromClient.start, fromClient.count + 1));
    }

    private Window current(String key, Instant now) {
        Window window = windows.get(key);
        return window == null || !now.isBefore(window.start.plus(WINDOW)) ? new Window(now, 0) : window;
    }

    private void makeRoom(Instant now) {
        windows.entrySet().removeIf(e -> !now.isBefore(e.getValue().start.plus(WINDOW)));
        if (windows.size() >= MAX_ENTRIES) {
            windows.entrySet().stream().sorted(Comparator.comparing(e -> e.getValue().start)).limit(MAX_ENTRIES / 10)
                    .map(Map.Entry::getKey).toList().forEach(windows::remove);
        }
    }

    private static String cut(String value) {
        return value.length() > 254 ? value.substring(0, 254) : value;
    }

    private record Window(Instant start, int count) {
    }
}
