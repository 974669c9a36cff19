package io.mailtree.campaigns;

import io.mailtree.contacts.Contacts;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * Honours an unsubscribe link at once (providers allow at most two days): the contact the token names
 * becomes UNSUBSCRIBED in the token's account only, through contacts, which moves the allowance (D-7).
 */
@Service
public class Unsubscribes {

    private final UnsubscribeLinks links;
    private final Contacts contacts;

    Unsubscribes(UnsubscribeLinks links, Contacts contacts) {
        this.links = links;
        this.contacts = contacts;
    }

    /** Whether the token is genuine (the page shows its confirm button only then). */
    public boolean isValid(String token) {
        return links.verify(token).isPresent();
    }

    /**
     * Unsubscribes the token's contact; answers the unsubscriber, or empty for a token that is not
     * genuine. Repeating it (a provider's retry, a second click) changes nothing more.
     */
    public Optional<UnsubscribeLinks.Unsubscriber> unsubscribe(String token) {
        Optional<UnsubscribeLinks.Unsubscriber> who = links.verify(token);
        who.ifPresent(u -> contacts.unsubscribe(u.account(), u.contactId()));
        return who;
    }
}
