package io.mailtree.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import io.mailtree.support.InboundReports;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;

/**
 * Bounces and complaints coming back over SMTP to the bounce domain, matched to the message and
 * recipient by the per-recipient return path of the envelope they arrive at, and by nothing else.
 */
class ReportIntakeIntegrationTests extends MailtreeTestBase {

    @Value("${mailtree.inbound-port}")
    int inboundPort;

    private record Sent(Master master, String id, String to, String verp, String messageId) {
    }

    private Sent sendOne() throws Exception {
        return sendOne(master("pro-1000"));
    }

    /** One message to a new contact of {@code master}, delivered. */
    private Sent sendOne(Master master) throws Exception {
        String to = uniqueEmail("reader");
        master.api().post("/api/v1/contacts", "{\"email\":\"" + to + "\"}");
        JsonNode result = send(master, confirmedSender(master), List.of(to));
        String messageId = result.get("messageId").asString();
        return new Sent(master, result.get("id").asString(), to, returnPathToken(to, messageId), messageId);
    }

    private String confirmedSender(Master master) {
        String from = "news-" + UUID.randomUUID().toString().substring(0, 6) + "@fb.example.test";
        master.api().post("/api/v1/senders", "{\"email\":\"" + from + "\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(from, 1), "/senders/confirm"));
        return from;
    }

    /** Sends one message to all of {@code recipients} and waits until it is delivered; answers its result. */
    private JsonNode send(Master master, String from, List<String> recipients) throws Exception {
        String to = String.join(",", recipients.stream().map(r -> "{\"email\":\"" + r + "\"}").toList());
        JsonNode result = master.api().post("/api/v1/send", "{\"messages\":[{\"from\":{\"email\":\"" + from
                + "\"},\"to\":[" + to + "],\"subject\":\"Hi\",\"text\":\"Hello\"}]}").json()
                .get("results").get(0);
        String id = result.get("id").asString();
        for (int i = 0; i < 200; i++) {
            if (master.api().get("/api/v1/messages/" + id).json().get("message").get("status").asString().equals("DELIVERED")) {
                break;
            }
            Thread.sleep(50);
        }
        return result;
    }

    /**
     * The token of the return path that the relay saw for {@code recipient}'s copy of a message (the
     * Return-Path the receiving side records from MAIL FROM), read from that recipient's own mailbox.
     */
    private static String returnPathToken(String recipient, String messageId) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            var user = TestInfrastructure.SMTP.getUserManager().getUserByEmail(recipient);
            if (user != null) {
                for (var stored : TestInfrastructure.SMTP.getManagers().getImapHostManager().getInbox(user).getMessages()) {
                    MimeMessage copy = stored.getMimeMessage();
                    if (copy.getHeader("Message-ID") != null && messageId.equals(copy.getHeader("Message-ID")[0])) {
                        String returnPath = copy.getHeader("Return-Path")[0].replaceAll("[<>\\s]", "");
                        assertThat(returnPath).startsWith("bounces+").endsWith("@bounces.mailtree.localhost");
                        return returnPath.substring("bounces+".length(), returnPath.indexOf('@'));
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no copy of " + messageId + " in the mailbox of " + recipient);
    }

    private void report(String envelopeTo, String raw) throws MessagingException {
        InboundReports.send(inboundPort, "mailer-daemon@relay.example", envelopeTo, raw);
    }

    private static String dsn(String to, String recipient, String messageId) {
        return dsn(to, recipient, messageId, "5.1.1", "550 5.1.1 user unknown");
    }

    private static String dsn(String to, String recipient, String messageId, String status, String diagnostic) {
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
                Status: %s
                Diagnostic-Code: smtp; %s

                --BOUNDARY
                Content-Type: text/rfc822-headers

                Message-ID: %s
                Subject: Hi

                --BOUNDARY--
                """.formatted(to, recipient, status, diagnostic, messageId).replace("\n", "\r\n");
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
        // Contacts applies the bounce when its outcome consumer reads the event (ADR 0010).
        Eventually.afterConsumers(() -> {
            assertThat(sent.master().api().get("/api/v1/suppressions").json().get("items").get(0).get("reason")
                    .asString()).isEqualTo("HARD_BOUNCE");
            assertThat(sent.master().api().get("/api/v1/contacts?q=" + sent.to()).json().get("items").get(0)
                    .get("status").asString()).isEqualTo("BOUNCED");
            assertThat(allowance(sent.master().api()).get("ownActiveContacts").asInt()).isZero();
        });
    }

    @Test
    @DisplayName("A DSN of a policy refusal (5.7.1) bounces the message as BLOCK and suppresses nobody; a full mailbox (5.2.2) neither")
    void aPolicyRefusalReportSuppressesNobody() throws Exception {
        Sent blocked = sendOne();
        Sent full = sendOne(blocked.master());
        Sent gone = sendOne(blocked.master());
        report("bounces+" + blocked.verp() + "@bounces.mailtree.localhost", dsn("bounces+" + blocked.verp()
                + "@bounces.mailtree.localhost", blocked.to(), blocked.messageId(), "5.7.1",
                "554 5.7.1 message refused as spam"));
        report("bounces+" + full.verp() + "@bounces.mailtree.localhost", dsn("bounces+" + full.verp()
                + "@bounces.mailtree.localhost", full.to(), full.messageId(), "5.2.2", "552 5.2.2 mailbox full"));
        assertThat(events(blocked).get("message").get("status").asString()).isEqualTo("BOUNCED");
        assertThat(events(blocked).get("events").toString()).contains("blocked: 5.7.1");
        assertThat(events(full).get("events").toString()).contains("soft: 5.2.2");
        // A hard bounce reported after them: once the contacts consumer has applied it, it has read the others.
        report("bounces+" + gone.verp() + "@bounces.mailtree.localhost", dsn("bounces+" + gone.verp()
                + "@bounces.mailtree.localhost", gone.to(), gone.messageId()));
        Eventually.afterConsumers(() -> assertThat(blocked.master().api().get("/api/v1/suppressions").json()
                .get("items").size()).isEqualTo(1));
        assertThat(blocked.master().api().get("/api/v1/suppressions").json().get("items").get(0).get("email").asString())
                .isEqualTo(gone.to());
        for (Sent still : List.of(blocked, full)) {
            assertThat(blocked.master().api().get("/api/v1/contacts?q=" + still.to()).json().get("items").get(0)
                    .get("status").asString()).isEqualTo("SUBSCRIBED");
        }
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
        // Delivered to the recipient's return path: a complaint is matched by its envelope, never by its body.
        report("bounces+" + sent.verp() + "@bounces.mailtree.localhost", arf);
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
        // A DSN sent to the liar's own return path but naming the victim and the victim's Message-ID: the
        // token was issued for the liar's recipient, so the report speaks for nobody and is kept unmatched.
        report("bounces+" + liar.verp() + "@bounces.mailtree.localhost", dsn("x", victim.to(), victim.messageId()));
        assertThat(events(victim).get("message").get("status").asString()).isEqualTo("DELIVERED");
        // No event was written for either message, so no consumer can apply anything later: checking the
        // suppression lists now cannot pass merely because a consumer has not run yet.
        assertThat(events(victim).get("events").toString()).doesNotContain("BOUNCED");
        assertThat(events(liar).get("events").toString()).doesNotContain("BOUNCED");
        assertThat(jdbc.sql("select count(*) from inbound_report where verp_token = ? and matched_message_id is null")
                .param(liar.verp()).query(Long.class).single()).isEqualTo(1);
        assertThat(victim.master().api().get("/api/v1/suppressions").json().get("items").size()).isZero();
        assertThat(liar.master().api().get("/api/v1/suppressions").json().get("items").size()).isZero();

        report("bounces+nosuchtoken@bounces.mailtree.localhost", "Subject: garbage\r\n\r\n\u0000\u0001 not a report");
        report("bounces+nosuchtoken@bounces.mailtree.localhost", dsn("x", "a@b.example", "<unknown@nowhere>"));
        assertThat(jdbc.sql("select count(*) from inbound_report where verp_token = 'nosuchtoken' and matched_message_id is null")
                .query(Long.class).single()).isEqualTo(2);
        assertThatThrownBy(() -> report("someone@elsewhere.example", "Subject: relay me\r\n\r\nplease"))
                .isInstanceOf(MessagingException.class);

        report("bounces+" + victim.verp() + "@bounces.mailtree.localhost", dsn("x", victim.to(), victim.messageId()));
        assertThat(events(victim).get("message").get("status").asString()).isEqualTo("BOUNCED");
    }

    private static String arf(String mailFromInBody, String rcptTo, String messageId) {
        return InboundReports.arf(mailFromInBody, rcptTo, messageId, "Hi");
    }

    private record Shared(Master master, String id, String messageId, List<String> recipients, List<String> tokens) {
    }

    /** One message to three recipients (contacts of the account), delivered, with each copy's return-path token. */
    private Shared sendToThree() throws Exception {
        Master master = master("pro-1000");
        List<String> recipients = List.of(uniqueEmail("ann"), uniqueEmail("bob"), uniqueEmail("cyd"));
        for (String recipient : recipients) {
            master.api().post("/api/v1/contacts", "{\"email\":\"" + recipient + "\"}");
        }
        JsonNode result = send(master, confirmedSender(master), recipients);
        String messageId = result.get("messageId").asString();
        List<String> tokens = new java.util.ArrayList<>();
        for (String recipient : recipients) {
            tokens.add(returnPathToken(recipient, messageId));
        }
        return new Shared(master, result.get("id").asString(), messageId, recipients, tokens);
    }

    private List<String> suppressed(Master master) {
        List<String> addresses = new java.util.ArrayList<>();
        master.api().get("/api/v1/suppressions").json().get("items").forEach(item -> addresses.add(item.get("email")
                .asString()));
        return addresses;
    }

    private List<String> unmatchedProblems(String envelope) {
        return jdbc.sql("select problem from inbound_report where envelope_recipient = ? and matched_message_id is null"
                + " order by id").param(envelope).query(String.class).list();
    }

    @Test
    @DisplayName("Every recipient's copy goes out with its own return path, a token that speaks for that recipient alone")
    void eachRecipientHasItsOwnReturnPath() throws Exception {
        Shared sent = sendToThree();

        assertThat(sent.tokens()).doesNotHaveDuplicates().allMatch(token -> token.matches("[0-9a-z]{1,13}-[0-9a-f]{24}"));
        long messageRow = jdbc.sql("select id from message where public_id = ?").param(UUID.fromString(sent.id()))
                .query(Long.class).single();
        assertThat(sent.tokens()).allMatch(token -> token.startsWith(Long.toString(messageRow, 36) + "-"));
    }

    @Test
    @DisplayName("A recipient forging a DSN or an ARF about another recipient (Message-ID, own token in the body or "
            + "in the envelope) suppresses nobody; the reports are kept as unmatched")
    void forgedReportsAboutAnotherRecipientSuppressNobody() throws Exception {
        Shared sent = sendToThree();
        String victim = sent.recipients().get(0);
        String forgerToken = sent.tokens().get(1);
        String forgerReturnPath = "bounces+" + forgerToken + "@bounces.mailtree.localhost";

        // No token in the envelope: the Message-ID alone names the message, and the body names the victim.
        report("fbl@bounces.mailtree.localhost", dsn("fbl@bounces.mailtree.localhost", victim, sent.messageId()));
        // The forger's own token copied into the body of a complaint about the victim.
        report("fbl@bounces.mailtree.localhost", arf(forgerReturnPath, victim, sent.messageId()));
        // The forger's own return path as the envelope, the report naming the victim.
        report(forgerReturnPath, dsn(forgerReturnPath, victim, sent.messageId()));
        report(forgerReturnPath, arf(forgerReturnPath, victim, sent.messageId()));

        assertThat(suppressed(sent.master())).isEmpty();
        JsonNode detail = sent.master().api().get("/api/v1/messages/" + sent.id()).json();
        assertThat(detail.get("message").get("status").asString()).isEqualTo("DELIVERED");
        assertThat(detail.get("events").toString()).doesNotContain("BOUNCED").doesNotContain("COMPLAINED");
        for (String recipient : sent.recipients()) {
            assertThat(sent.master().api().get("/api/v1/contacts?q=" + recipient).json().get("items").get(0)
                    .get("status").asString()).isEqualTo("SUBSCRIBED");
        }
        assertThat(unmatchedProblems("fbl@bounces.mailtree.localhost")).hasSizeGreaterThanOrEqualTo(2)
                .allMatch(problem -> problem.contains("holds no return-path token"));
        assertThat(unmatchedProblems(forgerReturnPath)).hasSize(2)
                .allMatch(problem -> problem.equals("the report names " + victim
                        + ", not the recipient its return-path token was issued for"));
    }

    @Test
    @DisplayName("A genuine hard bounce to one recipient's return path suppresses exactly that recipient")
    void aGenuineBounceSuppressesExactlyItsRecipient() throws Exception {
        Shared sent = sendToThree();
        String bounced = sent.recipients().get(2);
        String returnPath = "bounces+" + sent.tokens().get(2) + "@bounces.mailtree.localhost";

        report(returnPath, dsn(returnPath, bounced, sent.messageId()));

        // The contacts module applies the BOUNCED event when its outcome consumer reads it (ADR 0010).
        Eventually.afterConsumers(() -> {
            assertThat(suppressed(sent.master())).containsExactly(bounced);
            assertThat(sent.master().api().get("/api/v1/contacts?q=" + bounced).json().get("items").get(0)
                    .get("status").asString()).isEqualTo("BOUNCED");
        });
        assertThat(sent.master().api().get("/api/v1/contacts?q=" + sent.recipients().get(0)).json().get("items").get(0)
                .get("status").asString()).isEqualTo("SUBSCRIBED");
        assertThat(events(new Sent(sent.master(), sent.id(), bounced, null, null)).get("events").toString())
                .contains("BOUNCED").contains(bounced);
    }

    @Test
    @DisplayName("A tampered return-path token matches nothing: another message's id, an altered or cut MAC; "
            + "nothing is suppressed and the reports are kept as unmatched")
    void aTamperedTokenMatchesNothing() throws Exception {
        Shared sent = sendToThree();
        Sent other = sendOne();
        String token = sent.tokens().get(0);
        String victim = sent.recipients().get(0);
        String id = token.substring(0, token.indexOf('-'));
        String mac = token.substring(token.indexOf('-') + 1);
        String otherId = other.verp().substring(0, other.verp().indexOf('-'));
        String flipped = mac.substring(0, 23) + (mac.charAt(23) == '0' ? '1' : '0');
        for (String tampered : List.of(otherId + "-" + mac, id + "-" + flipped, id + "-" + mac.substring(1),
                id + "-" + mac.toUpperCase(java.util.Locale.ROOT) + "0", "0-" + mac, id)) {
            String returnPath = "bounces+" + tampered + "@bounces.mailtree.localhost";
            report(returnPath, dsn(returnPath, victim, sent.messageId()));
            assertThat(unmatchedProblems(returnPath)).as(tampered)
                    .containsExactly("no message matches this return-path token");
        }
        String otherReturnPath = "bounces+" + otherId + "-" + mac + "@bounces.mailtree.localhost";
        report(otherReturnPath, dsn(otherReturnPath, other.to(), other.messageId()));

        assertThat(suppressed(sent.master())).isEmpty();
        assertThat(suppressed(other.master())).isEmpty();
        assertThat(events(other).get("message").get("status").asString()).isEqualTo("DELIVERED");
    }
}
