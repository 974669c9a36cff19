package io.mailtree.notifications;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The SMTP relay, read once from {@code mailtree.relay.*} ({@code MAILTREE_RELAY_*}): system mail
 * and delivery both go out through it, over the transport {@link MailConfiguration} chooses. No
 * host means no relay: the development mailbox takes everything.
 *
 * @param tls {@code none}, {@code starttls} (required) or {@code tls} (from the first byte)
 */
@ConfigurationProperties("mailtree.relay")
public record RelaySettings(@DefaultValue("") String host, @DefaultValue("25") int port,
        @DefaultValue("") String username, @DefaultValue("") String password, @DefaultValue("none") String tls) {

    public RelaySettings {
        host = host == null ? "" : host.strip();
        tls = tls == null || tls.isBlank() ? "none" : tls.strip();
    }

    /** Whether a relay host is set (otherwise mail goes to the development mailbox). */
    public boolean configured() {
        return !host.isEmpty();
    }

    /** Whether the relay asks for a login. */
    boolean authenticates() {
        return username != null && !username.isBlank();
    }
}
