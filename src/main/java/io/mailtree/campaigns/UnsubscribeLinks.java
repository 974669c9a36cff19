package io.mailtree.campaigns;

import io.mailtree.access.SignedTokens;
import io.mailtree.shared.AccountId;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The one-click unsubscribe links of campaign mail (ADR 0025): {@code {base-url}/u/{token}}, the token
 * an HMAC-signed (account, contact, campaign) under the installation's key. The link names no URL to
 * go to afterwards, so it cannot be turned into an open redirect; a forged or altered token verifies
 * to nothing. Links stay valid a long time: mail is read months after it is sent.
 */
@Component
public class UnsubscribeLinks {

    static final String PURPOSE = "unsubscribe";
    static final Duration VALIDITY = Duration.ofDays(3650);

    private final SignedTokens tokens;
    private final String baseUrl;

    UnsubscribeLinks(SignedTokens tokens, @Value("${mailtree.base-url}") String baseUrl) {
        this.tokens = tokens;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** Who a link unsubscribes: the contact of that account, from that campaign's mail. */
    public record Unsubscriber(AccountId account, long contactId, long campaignId) {
    }

    String url(AccountId account, long contactId, long campaignId) {
        return baseUrl + "/u/" + token(account, contactId, campaignId);
    }

    /**
     * The link a test send shows where the unsubscribe link goes (ADR 0031): the unsubscribe page with
     * a token that names nobody, so a tester who follows it unsubscribes no one and reads why.
     */
    String testUrl() {
        return baseUrl + "/u/test";
    }

    String token(AccountId account, long contactId, long campaignId) {
        return tokens.issue(PURPOSE, account.value() + ":" + contactId + ":" + campaignId, "", VALIDITY);
    }

    /** The unsubscriber a token names, or empty for a forged, altered, expired or malformed one. */
    public Optional<Unsubscriber> verify(String token) {
        return tokens.verify(token, PURPOSE, subject -> "").flatMap(subject -> {
            String[] parts = subject.split(":", -1);
            if (parts.length != 3) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Unsubscriber(new AccountId(UUID.fromString(parts[0])), Long.parseLong(parts[1]),
                        Long.parseLong(parts[2])));
            } catch (IllegalArgumentException malformed) {
                return Optional.empty();
            }
        });
    }
}
