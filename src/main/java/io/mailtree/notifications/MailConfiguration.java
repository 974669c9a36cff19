package io.mailtree.notifications;

import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Chooses the transport: the SMTP relay when {@code mailtree.relay.host} is set, otherwise the
 * built-in development mailbox.
 */
@Configuration(proxyBeanMethods = false)
class MailConfiguration {

    @Bean
    MailTransport mailTransport(@Value("${mailtree.relay.host:}") String host,
            @Value("${mailtree.relay.port:25}") int port, @Value("${mailtree.relay.username:}") String username,
            @Value("${mailtree.relay.password:}") String password, @Value("${mailtree.relay.tls:none}") String tls,
            JdbcClient jdbc, Clock clock) {
        if (host == null || host.isBlank()) {
            return new DevMailbox(jdbc, clock);
        }
        return new SmtpRelay(new SmtpRelay.RelaySettings(host, port, username, password, tls));
    }
}
