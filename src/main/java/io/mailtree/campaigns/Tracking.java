package io.mailtree.campaigns;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.outcomes.OutcomeType;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * What the public tracking endpoints do (ADR 0027): verify the signed token (an HMAC, no database),
 * hand the open or click to the {@link EngagementBuffer}, which writes it into the outcome stream
 * through delivery's {@code Engagements} within a flush, and for a click answer the stored URL (cached).
 * A request holds no transaction and makes no query. A token that does not verify records nothing;
 * one naming a recipient the campaign never queued is dropped when the buffer is written.
 */
@Service
public class Tracking {

    private final TrackingLinks links;
    private final CampaignLinks campaignLinks;
    private final EngagementBuffer buffer;
    private final JdbcClient jdbc;

    Tracking(TrackingLinks links, CampaignLinks campaignLinks, EngagementBuffer buffer, JdbcClient jdbc) {
        this.links = links;
        this.campaignLinks = campaignLinks;
        this.buffer = buffer;
        this.jdbc = jdbc;
    }

    /** Records an open; answers whether the token was genuine (the pixel is served either way). */
    public boolean open(String token, String userAgent) {
        Optional<TrackingLinks.Opener> opener = links.verifyOpen(token);
        if (opener.isEmpty()) {
            return false;
        }
        TrackingLinks.Opener o = opener.get();
        buffer.add(new EngagementBuffer.Pending(o.campaignId(), o.contactId(), o.account().value(), OutcomeType.OPENED,
                null, MachineOpens.isMachine(userAgent), clip(userAgent)));
        return true;
    }

    /** Whether an open token is genuine, recording nothing (a HEAD request). */
    public boolean isGenuineOpen(String token) {
        return links.verifyOpen(token).isPresent();
    }

    /** The URL a click token redirects to, recording nothing (a HEAD request). */
    public Optional<String> clickTarget(String token) {
        return links.verifyClick(token).flatMap(c -> campaignLinks.target(c.campaignId(), c.linkIndex(), c.urlHash()))
                .map(CampaignLinks.Link::url);
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
        buffer.add(new EngagementBuffer.Pending(c.campaignId(), c.contactId(), c.account().value(), OutcomeType.CLICKED,
                c.linkIndex(), false, clip(userAgent)));
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
