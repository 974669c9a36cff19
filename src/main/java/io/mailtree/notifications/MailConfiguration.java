package io.mailtree.notifications;

import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Chooses the transport: the SMTP relay when {@code mailtree.relay.host} is set, otherwise the
 * built-in development mailbox. The mailbox holds password-reset links, so an installation whose
 * base URL is public (https, or a host other than localhost) refuses to start on it unless
 * {@code MAILTREE_DEV_MAILBOX=true} says that is meant.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RelaySettings.class)
class MailConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MailConfiguration.class);

    @Bean
    MailTransport mailTransport(RelaySettings relay, @Value("${mailtree.base-url:}") String baseUrl,
            @Value("${mailtree.dev-mailbox:false}") boolean devMailbox, JdbcClient jdbc, Clock clock) {
        if (!relay.configured()) {
            if (isPublic(baseUrl) && !devMailbox) {
                throw new IllegalStateException("No SMTP relay is configured (MAILTREE_RELAY_HOST), so system mail would "
                        + "go to the development mailbox, but MAILTREE_BASE_URL (" + baseUrl + ") is a public address. "
                        + "Configure a relay, or set MAILTREE_DEV_MAILBOX=true to run on the development mailbox anyway.");
            }
            log.warn("No SMTP relay is configured: Mailtree sends no e-mail. Every message, password-reset links "
                    + "included, is kept in the development mailbox at /dev/mailbox, readable by the platform "
                    + "operator and from this machine. Set MAILTREE_RELAY_HOST before real use.");
            return new DevMailbox(jdbc, clock);
        }
        return new SmtpRelay(relay);
    }

    /** Whether links under this base URL are meant for other machines: https, or a host not on loopback. */
    static boolean isPublic(String baseUrl) {
        if (baseUrl == null || baseUrl.isBlank()) {
            return false;
        }
        URI uri;
        try {
            uri = URI.create(baseUrl.strip());
        } catch (IllegalArgumentException unparsable) {
            return true;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String hostName = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (hostName.startsWith("[") && hostName.endsWith("]")) {
            hostName = hostName.substring(1, hostName.length() - 1);
        }
        boolean local = hostName.equals("localhost") || hostName.endsWith(".localhost") || hostName.matches("127(\\.\\d{1,3}){3}")
                || hostName.equals("::1") || hostName.equals("0:0:0:0:0:0:0:1");
        return scheme.equals("https") || !local;
    }
}
