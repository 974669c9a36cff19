package io.mailtree.inbound;

import static io.mailtree.support.SmtpLines.command;
import static io.mailtree.support.SmtpLines.reply;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextConfiguration;

/**
 * SMTP submission as shipped: on the embedded defaults (no test profile, which lets the other tests
 * speak plain text), AUTH and MAIL are refused until the client has started TLS, so a key's secret
 * never crosses the network in clear.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "mailtree.data-dir=target/embedded-tls-it-${random.uuid}", "mailtree.inbound-port=0"})
@ContextConfiguration(initializers = SubmissionRequiresTlsByDefaultIntegrationTests.FreeSubmissionPort.class)
class SubmissionRequiresTlsByDefaultIntegrationTests {

    @Value("${mailtree.submission-port}")
    int submissionPort;

    /** Submission on a port nothing else listens on, the rest of the configuration left as shipped. */
    static class FreeSubmissionPort implements ApplicationContextInitializer<ConfigurableApplicationContext> {

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            try (ServerSocket socket = new ServerSocket(0)) {
                TestPropertyValues.of("mailtree.submission-port=" + socket.getLocalPort()).applyTo(context);
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    @Test
    @DisplayName("D-29: by default AUTH and MAIL before STARTTLS are refused with 530 5.7.0, and EHLO offers no AUTH")
    void d29CleartextAuthIsRefusedByDefault() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", submissionPort)) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);
            assertThat(reply(in)).startsWith("220");
            assertThat(command(out, in, "EHLO client.example.test")).contains("STARTTLS").doesNotContain("AUTH");
            String plain = Base64.getEncoder().encodeToString("\0mt_pk_someone\0mt_sk_secret".getBytes(StandardCharsets.UTF_8));
            assertThat(command(out, in, "AUTH PLAIN " + plain)).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
            assertThat(command(out, in, "AUTH LOGIN")).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
            assertThat(command(out, in, "MAIL FROM:<app@example.test>"))
                    .isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
            assertThat(command(out, in, "STARTTLS")).startsWith("220");
        }
    }
}
