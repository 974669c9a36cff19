package io.mailtree.campaigns;

import io.mailtree.contacts.Contacts;
import io.mailtree.delivery.Engagements;
import io.mailtree.shared.outcomes.OutcomeType;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Honours an unsubscribe link at once (providers allow at most two days): the contact the token names
 * becomes UNSUBSCRIBED in the token's account only, through contacts, which moves the allowance (D-7).
 */
@Service
public class Unsubscribes {

    private final UnsubscribeLinks links;
    private final Contacts contacts;
    private final Tracking tracking;
    private final Engagements engagements;

    Unsubscribes(UnsubscribeLinks links, Contacts contacts, Tracking tracking, Engagements engagements) {
        this.links = links;
        this.contacts = contacts;
        this.tracking = tracking;
        this.engagements = engagements;
    }

    /** Whether the token is genuine (the page shows its confirm button only then). */
    public boolean isValid(String token) {
        return links.verify(token).isPresent();
    }

    /**
     * Unsubscribes the token's contact; answers the unsubscriber, or empty for a token that is not
     * genuine. Repeating it (a provider's retry, a second click) changes nothing more. The change
     * enters the outcome stream as an {@code UNSUBSCRIBED} event of the campaign's message to that
     * contact, in the same transaction (ADR 0027): reports, key reputation and webhooks count it once.
     */
    @Transactional
    public Optional<UnsubscribeLinks.Unsubscriber> unsubscribe(String token) {
        Optional<UnsubscribeLinks.Unsubscriber> who = links.verify(token);
        who.ifPresent(u -> {
            if (contacts.unsubscribe(u.account(), u.contactId())) {
                tracking.message(u.account(), u.campaignId(), u.contactId()).ifPresent(message ->
                        engagements.record(message, OutcomeType.UNSUBSCRIBED, null, false, "campaign " + u.campaignId()));
            }
        });
        return who;
    }
}
