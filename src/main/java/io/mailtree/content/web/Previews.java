package io.mailtree.content.web;

import io.mailtree.contacts.Contact;
import io.mailtree.contacts.Contacts;
import io.mailtree.shared.AccountId;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * What the previews of templates and e-mails share: the contacts to preview for, the values of
 * one, and the sandboxed response. The rendered HTML is the customer's own markup; it is shown in
 * an {@code <iframe sandbox>} and served with a CSP sandbox of its own, so nothing in it can run
 * in the application's origin, even when the preview URL is opened directly.
 */
@Component
class Previews {

    static final int CONTACTS = 50;

    /**
     * No script, no plugin, no form, a unique origin; images from anywhere (mail clients load them
     * from their URLs) and inline styles (e-mail HTML is styled inline). frame-ancestors 'self' lets
     * the editor frame it: with it, browsers ignore the X-Frame-Options DENY of the other pages.
     */
    static final String POLICY = "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'; "
            + "frame-ancestors 'self'";

    private final Contacts contacts;

    Previews(Contacts contacts) {
        this.contacts = contacts;
    }

    /** The first contacts of the account, for the "preview for" select. */
    List<Contact> contacts(AccountId account) {
        return contacts.search(account, new Contacts.Query(null, null, null, null, null), null, CONTACTS).items();
    }

    /** The values a contact gives the template language, or sample values without one (as e-mails render). */
    Map<String, Object> values(AccountId account, Long contactId) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (contactId != null) {
            Contact contact = contacts.get(account, contactId);
            values.putAll(contact.properties());
            values.put("email", contact.email());
            values.put("name", contact.name());
        } else {
            values.put("email", "recipient@example.com");
            values.put("name", "Recipient");
        }
        return values;
    }

    /** Writes rendered e-mail HTML under the sandbox policy, never cached, never sniffed. */
    static void write(HttpServletResponse response, String html) throws IOException {
        response.setHeader("Content-Security-Policy", POLICY);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setContentType("text/html;charset=UTF-8");
        byte[] bytes = (html == null ? "" : html).getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
