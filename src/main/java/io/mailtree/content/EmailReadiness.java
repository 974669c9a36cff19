package io.mailtree.content;

import io.mailtree.contacts.ContactProperties;
import io.mailtree.contacts.ContactProperty;
import io.mailtree.shared.AccountId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * What stands between an e-mail and a good send, beyond its required parts ({@link Email#missingToSend}):
 * placeholders that name no value of a contact, which would render as nothing, and a sender address
 * that is not (or no longer) confirmed, from which nothing can be sent.
 */
@Component
public class EmailReadiness {

    /**
     * The values every render has besides the contact's properties (see {@link Emails#preview}): the
     * contact's address and name, and the e-mail's subject, which the layouts put in the HTML title.
     */
    static final Set<String> BUILT_IN = Set.of("email", "name", "subject");

    /**
     * The readiness of one e-mail.
     *
     * @param missing             the required parts still missing, as codes
     * @param unknownPlaceholders placeholders as written in the subject or the content that no contact has
     * @param unconfirmedSender   the sender address when it is set but not a confirmed sender, else null
     */
    public record Readiness(List<String> missing, List<String> unknownPlaceholders, String unconfirmedSender) {

        public boolean ready() {
            return missing.isEmpty() && unknownPlaceholders.isEmpty() && unconfirmedSender == null;
        }
    }

    private final ContactProperties properties;
    private final SenderConfirmations senders;

    EmailReadiness(ContactProperties properties, SenderConfirmations senders) {
        this.properties = properties;
        this.senders = senders;
    }

    public Readiness of(AccountId account, Email email) {
        Set<String> known = new LinkedHashSet<>(BUILT_IN);
        properties.of(account).stream().map(ContactProperty::key).forEach(known::add);
        Set<String> used = new LinkedHashSet<>(TemplateLanguage.placeholders(email.subject()));
        used.addAll(TemplateLanguage.placeholders(email.html()));
        used.addAll(TemplateLanguage.placeholders(email.text()));
        List<String> unknown = new ArrayList<>();
        for (String name : used) {
            // {{address.city}} reads the property "address"; only its root must be a value of the contact.
            String root = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
            if (!known.contains(root)) {
                unknown.add(name);
            }
        }
        String from = email.fromEmail();
        String unconfirmed = from == null || from.isBlank() || senders.confirmed(account, from) ? null : from;
        return new Readiness(email.missingToSend(), unknown, unconfirmed);
    }
}
