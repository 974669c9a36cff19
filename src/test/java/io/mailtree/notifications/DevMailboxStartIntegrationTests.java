package io.mailtree.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.MailtreeApplication;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starting on the development mailbox with a public base URL: the mailbox holds every reset link,
 * so such an installation refuses to start unless MAILTREE_DEV_MAILBOX=true says it is meant.
 * Real starts of the packaged application on its embedded H2 defaults.
 */
class DevMailboxStartIntegrationTests {

    @Test
    @DisplayName("No relay and an https base URL: the start is refused with a message naming MAILTREE_DEV_MAILBOX")
    void publicBaseUrlWithoutRelayRefusesToStart() {
        assertThatThrownBy(() -> start("https://mail.example.com", null).close())
                .hasStackTraceContaining("MAILTREE_BASE_URL (https://mail.example.com) is a public address")
                .hasStackTraceContaining("MAILTREE_DEV_MAILBOX=true");
    }

    @Test
    @DisplayName("No relay, a public base URL and MAILTREE_DEV_MAILBOX=true: Mailtree starts on the mailbox")
    void explicitlyEnabledMailboxStarts() {
        try (ConfigurableApplicationContext context = start("https://mail.example.com", "true")) {
            assertThat(context.getBean(MailTransport.class).capturesMail()).isTrue();
        }
    }

    @Test
    @DisplayName("Public or not: https or a host off loopback is public; localhost and 127.0.0.1 over http are not")
    void whatCountsAsPublic() {
        assertThat(MailConfiguration.isPublic("https://mail.example.com")).isTrue();
        assertThat(MailConfiguration.isPublic("http://mail.example.com:8080")).isTrue();
        assertThat(MailConfiguration.isPublic("http://192.168.1.20:8080")).isTrue();
        assertThat(MailConfiguration.isPublic("http://127.evil.example")).isTrue();
        assertThat(MailConfiguration.isPublic("https://localhost:8443")).isTrue();
        assertThat(MailConfiguration.isPublic("http://localhost:8080")).isFalse();
        assertThat(MailConfiguration.isPublic("http://127.0.0.1:8080")).isFalse();
        assertThat(MailConfiguration.isPublic("http://[::1]:8080")).isFalse();
        assertThat(MailConfiguration.isPublic("http://mailtree.localhost")).isFalse();
    }

    private static ConfigurableApplicationContext start(String baseUrl, String devMailbox) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--mailtree.submission-port=0",
                "--mailtree.inbound-port=0", "--mailtree.relay.host=", "--mailtree.base-url=" + baseUrl,
                "--mailtree.data-dir=target/dev-mailbox-start-" + UUID.randomUUID()));
        if (devMailbox != null) {
            args.add("--mailtree.dev-mailbox=" + devMailbox);
        }
        return new SpringApplicationBuilder(MailtreeApplication.class).run(args.toArray(String[]::new));
    }
}
