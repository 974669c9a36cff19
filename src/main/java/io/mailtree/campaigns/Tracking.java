package io.mailtree.campaigns;

import io.mailtree.delivery.Engagements;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.outcomes.OutcomeType;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * What the public tracking endpoints do (ADR 0027): verify the signed token (no database), find the
 * recipient's message by the campaign's primary key, and write one event into the outcome stream
 * through delivery's {@link Engagements}. No transaction is held and nothing is read beyond that, so a
 * pixel costs two indexed statements. A token that does not verify, or names a recipient the campaign
 * never queued, records nothing.
 */
@Service
public class Tracking {

    private final TrackingLinks links;
    private final CampaignLinks campaignLinks;
    private final Engagements engagements;
    private final JdbcClient jdbc;

    Tracking(TrackingLinks links, CampaignLinks campaignLinks, Engagements engagements, JdbcClient jdbc) {
        this.links = links;
        this.campaignLinks = campaignLinks;
        this.engagements = engagements;
        this.jdbc = jdbc;
    }

    /** Records an open; answers whether the token was genuine (the pixel is served either way). */
    public boolean open(String token, String userAgent) {
        Optional<TrackingLinks.Opener> opener = links.verifyOpen(token);
        if (opener.isEmpty()) {
            return false;
        }
        TrackingLinks.Opener o = opener.get();
        message(o.account(), o.campaignId(), o.contactId()).ifPresent(message -> engagements.record(message,
                OutcomeType.OPENED, null, MachineOpens.isMachine(userAgent), clip(userAgent)));
        return true;
    }

    /**
     * Records a click and answers the stored URL to redirect to; empty, recording nothing, for a token
     * that does not verify or a link the campaign does not have (or whose URL no longer matches).
     */
    public Optional<String> click(String token, String userAgent) {
        Optional<TrackingLinks.Clicker> clicker = links.verifyClick(token);
        if (clicker.isEmpty()) {
            return Optional.empty();
        }
        TrackingLinks.Clicker c = clicker.get();
        Optional<CampaignLinks.Link> link = campaignLinks.target(c.campaignId(), c.linkIndex(), c.urlHash());
        if (link.isEmpty()) {
            return Optional.empty();
        }
        message(c.account(), c.campaignId(), c.contactId()).ifPresent(message -> engagements.record(message,
                OutcomeType.CLICKED, c.linkIndex(), false, clip(userAgent)));
        return Optional.of(link.get().url());
    }

    /** The recipient's message in that campaign of that account, if it was queued. */
    Optional<UUID> message(AccountId account, long campaignId, long contactId) {
        return jdbc.sql("select message_id from campaign_recipient where campaign_id = ? and contact_id = ? and account_id = ?"
                + " and message_id is not null")
                .params(campaignId, contactId, account.value()).query(UUID.class).optional();
    }

    private static String clip(String userAgent) {
        return userAgent == null ? null : userAgent.length() > 300 ? userAgent.substring(0, 300) : userAgent;
    }
}
