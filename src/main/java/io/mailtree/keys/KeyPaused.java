package io.mailtree.keys;

import io.mailtree.shared.DomainProblem;
import java.time.Instant;

/**
 * D-19: the key was paused because its numbers crossed a pause threshold; it sends nothing new until
 * the operator resumes it. 403 over HTTP (the caller is known but may not send with this key now;
 * retrying does not help until a person acts, as with the other refusals to send), a 550 5.7.1 reply
 * over SMTP.
 */
public class KeyPaused extends DomainProblem {

    public KeyPaused(String keyName, Instant pausedAt) {
        super(403, "key_paused", "the API key " + keyName + " is paused since " + pausedAt
                + " because its deliverability crossed a threshold; the operator must resume it", keyName);
        with("pausedAt", pausedAt.toString());
    }
}
