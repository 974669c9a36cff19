package io.mailtree.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.UUID;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;

/** Bounces and complaints coming back over SMTP to the bounce domain, matched to the message by VERP. */
class ReportIntakeIntegrationTests extends MailtreeTestBase {

    @Value("${mailtree.inbound-port}")
    int inboundPort;

    private record Sent(Master master, String id, String to, String verp, String messageId) {
    }

    private Sent sendOne() throws Exception {
        Master master = master("pro-1000");
        String from = "news-" + UUID.randomUUID().toString().substring(0, 6) + "@fb.example.test";
        master.api().post("/api/v1/senders", "{\"email\":\"" + from + "\"}");
        new WebSession(port).get(linkIn(awaitMailTo(from, 1), "/senders/confirm"));
        String to = uniqueEmail("reader");
        master.api().post("/api/v1/contacts", "{\"email\":\"" + to + "\"}");
        JsonNode result = master.api().post("/api/v1/send", "{\"messages\":[{\"from\":{\"email\":\"" + from
                + "\"},\"to\":[{\"email\":\"" + to + "\"}],\"subject\":\"Hi\",\"text\":\"Hello\"}]}").json()
                .get("results").get(0);
        String id = result.get("id").asString();
        for (int i = 0; i < 200; i++) {
            if (master.api().get("/api/v1/messages/" + id).json().get("message").get("status").asString().equals("DELIVERED")) {
                break;
            }
            Thread.sleep(50);
        }
        String verp = jdbc.sql("select verp_token from message where public_id = ?").param(UUID.fromString(id))
                .query(String.class).single();
        return new Sent(master, id, to, verp, result.get("messageId").asString());
    }

    private void report(String envelopeTo, String raw) throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", String.valueOf(inboundPort));
        Session session = Session.getInstance(properties);
        SMTPMessage message = new SMTPMessage(session, new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
        message.setEnvelopeFrom("mailer-daemon@relay.example");
        Transport.send(message, new InternetAddress[] {new InternetAddress(envelopeTo)});
    }

    private static String dsn(String to, String recipient, String messageId) {
        return """
                From: MAILER-DAEMON@relay.example
                To: %s
                Subject: Undelivered Mail Returned to Sender
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

                --BOUNDARY
                Content-Type: text/plain

                Your message could not be delivered.
                --BOUNDARY
                Content-Type: message/delivery-status

                Reporting-MTA: dns; relay.example

                Final-Recipient: rfc822; %s
                Action: failed
                Status: 5.1.1
                Diagnostic-Code: smtp; 550 5.1.1 user unknown

                --BOUNDARY
                Content-Type: text/rfc822-headers

                Message-ID: %s
                Subject: Hi

                --BOUNDARY--
                """.formatted(to, recipient, messageId).replace("\n", "\r\n");
    }

    private JsonNode events(Sent sent) {
        return sent.master().api().get("/api/v1/messages/" + sent.id()).json();
    }

    @Test
    @DisplayName("A hard-bounce DSN to the VERP address suppresses the address and marks the contact bounced")
    void hardBounceSuppresses() throws Exception {
        Sent sent = sendOne();
        report("bounces+" + sent.verp() + "@bounces.mailtree.localhost", dsn("bounces+" + sent.verp()
                + "@bounces.mailtree.localhost", sent.to(), sent.messageId()));
        JsonNode detail = events(sent);
        assertThat(detail.get("message").get("status").asString()).isEqualTo("BOUNCED");
        assertThat(detail.get("events").toString()).contains("BOUNCED").contains("5.1.1");
        // Contacts applies the bounce when its outcome consumer reads the event (ADR 0009).
        Eventually.afterConsumers(() -> {
            assertThat(sent.master().api().get("/api/v1/suppressions").json().get("items").get(0).get("reason")
                    .asString()).isEqualTo("HARD_BOUNCE");
            assertThat(sent.master().api().get("/api/v1/contacts?q=" + sent.to()).json().get("items").get(0)
                    .get("status").asString()).isEqualTo("BOUNCED");
            assertThat(allowance(sent.master().api()).get("ownActiveContacts").asInt()).isZero();
        });
    }

    @Test
    @DisplayName("An ARF complaint suppresses the address and marks the contact as having complained")
    void complaintSuppresses() throws Exception {
        Sent sent = sendOne();
        String arf = """
                From: fbl@isp.example
                To: fbl@bounces.mailtree.localhost
                Subject: Abuse report
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=feedback-report; boundary="ARF"

                --ARF
                Content-Type: text/plain

                This is an abuse report.
                --ARF
                Content-Type: message/feedback-report

                Feedback-Type: abuse
                User-Agent: ISP-FBL/1.0
                Version: 1
                Original-Mail-From: <bounces+%s@bounces.mailtree.localhost>
                Original-Rcpt-To: <%s>

                --ARF
                Content-Type: message/rfc822

                From: someone@fb.example.test
                To: %s
                Message-ID: %s
                Subject: Hi

                Hello
                --ARF--
                """.formatted(sent.verp(), sent.to(), sent.to(), sent.messageId()).replace("\n", "\r\n");
        report("fbl@bounces.mailtree.localhost", arf);
        assertThat(events(sent).get("events").toString()).contains("COMPLAINED");
        Eventually.afterConsumers(() -> {
            assertThat(sent.master().api().get("/api/v1/suppressions").json().get("items").get(0).get("reason")
                    .asString()).isEqualTo("COMPLAINT");
            assertThat(sent.master().api().get("/api/v1/contacts?q=" + sent.to()).json().get("items").get(0)
                    .get("status").asString()).isEqualTo("COMPLAINED");
        });
    }

    @Test
    @DisplayName("Garbage, unmatched and lying reports are stored for inspection; the server keeps serving; no relaying")
    void hostileReports() throws Exception {
        Sent victim = sendOne();
        Sent liar = sendOne();
        // A DSN whose VERP token is the liar's own but which names the victim's Message-ID: the VERP wins.
        report("bounces+" + liar.verp() + "@bounces.mailtree.localhost", dsn("x", victim.to(), victim.messageId()));
        assertThat(events(victim).get("message").get("status").asString()).isEqualTo("DELIVERED");
        // Once the consumer has applied the liar's bounce (to the liar's own address), the victim's list is
        // still empty: the report suppressed nothing of the victim's.
        Eventually.afterConsumers(() -> assertThat(liar.master().api().get("/api/v1/suppressions").json().get("items")
                .size()).isEqualTo(1));
        assertThat(victim.master().api().get("/api/v1/suppressions").json().get("items").size()).isZero();

        report("bounces+nosuchtoken@bounces.mailtree.localhost", "Subject: garbage\r\n\r\n\u0000\u0001 not a report");
        report("bounces+nosuchtoken@bounces.mailtree.localhost", dsn("x", "a@b.example", "<unknown@nowhere>"));
        assertThat(jdbc.sql("select count(*) from inbound_report where verp_token = 'nosuchtoken' and matched_message_id is null")
                .query(Long.class).single()).isEqualTo(2);
        assertThatThrownBy(() -> report("someone@elsewhere.example", "Subject: relay me\r\n\r\nplease"))
                .isInstanceOf(MessagingException.class);

        report("bounces+" + victim.verp() + "@bounces.mailtree.localhost", dsn("x", victim.to(), victim.messageId()));
        assertThat(events(victim).get("message").get("status").asString()).isEqualTo("BOUNCED");
    }
}
