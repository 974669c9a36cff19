package io.mailtree.campaigns;

import io.mailtree.access.SignedTokens;
import io.mailtree.shared.AccountId;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The open pixel and click links of campaign mail (ADR 0027), signed the way the unsubscribe links
 * are ({@link UnsubscribeLinks}, ADR 0025): {@code access.SignedTokens}, HMAC-SHA256 under the
 * installation key ({@code mailtree.secret}, or the key generated on first start and kept in the
 * database), one purpose per kind of link so a token of one kind never passes for another.
 *
 * <p>A click token names the campaign, the link's index among the campaign's stored links and a
 * hash of that link's URL; it carries no URL. The redirect goes to the stored URL at that index, and
 * only if its hash still matches: nothing in the request can choose where the browser is sent, so the
 * endpoint cannot be used as an open redirect. The links live on {@code mailtree.tracking.base-url}
 * (a tracking domain), the application's public address by default.
 */
@Component
public class TrackingLinks {

    static final String OPEN = "open";
    static final String CLICK = "click";
    static final Duration VALIDITY = UnsubscribeLinks.VALIDITY;

    private final SignedTokens tokens;
    private final String baseUrl;

    TrackingLinks(SignedTokens tokens, @Value("${mailtree.tracking.base-url:${mailtree.base-url}}") String baseUrl) {
        this.tokens = tokens;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** The recipient an open token names. */
    public record Opener(AccountId account, long contactId, long campaignId) {
    }

    /** The recipient and link a click token names. */
    public record Clicker(AccountId account, long contactId, long campaignId, int linkIndex, String urlHash) {
    }

    String openUrl(AccountId account, long contactId, long campaignId) {
        return baseUrl + "/t/o/" + tokens.issue(OPEN, account.value() + ":" + contactId + ":" + campaignId, "", VALIDITY);
    }

    String clickUrl(AccountId account, long contactId, long campaignId, CampaignLinks.Link link) {
        return baseUrl + "/t/c/" + tokens.issue(CLICK, account.value() + ":" + contactId + ":" + campaignId + ":"
                + link.index() + ":" + link.hash(), "", VALIDITY);
    }

    /** The opener an open token names; empty for a forged, altered, expired or malformed one. */
    public Optional<Opener> verifyOpen(String token) {
        return tokens.verify(token, OPEN, subject -> "").flatMap(subject -> {
            String[] parts = subject.split(":", -1);
            if (parts.length != 3) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Opener(new AccountId(UUID.fromString(parts[0])), Long.parseLong(parts[1]),
                        Long.parseLong(parts[2])));
            } catch (IllegalArgumentException malformed) {
                return Optional.empty();
            }
        });
    }

    /** The click a click token names; empty for a forged, altered, expired or malformed one. */
    public Optional<Clicker> verifyClick(String token) {
        return tokens.verify(token, CLICK, subject -> "").flatMap(subject -> {
            String[] parts = subject.split(":", -1);
            if (parts.length != 5) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Clicker(new AccountId(UUID.fromString(parts[0])), Long.parseLong(parts[1]),
                        Long.parseLong(parts[2]), Integer.parseInt(parts[3]), parts[4]));
            } catch (IllegalArgumentException malformed) {
                return Optional.empty();
            }
        });
    }
}
