package io.mailtree.delivery;

import static io.mailtree.support.SmtpLines.command;
import static io.mailtree.support.SmtpLines.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.SmtpSubmissions;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;

/** D-29 over SMTP: the key as user name, the secret as password, into the same queue. */
class SmtpSubmissionIntegrationTests extends MailtreeTestBase {

    @Value("${mailtree.submission-port}")
    int submissionPort;

    private String confirmedSender(Master master, String domain) {
        String address = "app-" + UUID.randomUUID().toString().substring(0, 6) + "@" + domain;
        master.api().post("/api/v1/senders", "{\"email\":\"" + address + "\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        return address;
    }

    private void submit(String user, String password, String from, String to, String subject) throws MessagingException {
        SmtpSubmissions.submit(submissionPort, user, password, from, to, subject);
    }

    private boolean arrived(String to, String subject) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (MimeMessage message : TestInfrastructure.SMTP.getReceivedMessages()) {
                if (subject.equals(message.getSubject())
                        && Arrays.stream(message.getAllRecipients()).anyMatch(a -> a.toString().contains(to))) {
                    return true;
                }
            }
            Thread.sleep(50);
        }
        return false;
    }

    @Test
    @DisplayName("D-29: a message submitted over SMTP with the key is queued, tied to that key, and delivered")
    void d29SubmissionTiedToKey() throws Exception {
        Api.Response created = operator().post("/api/platform/v1/masters",
                "{\"name\":\"SMTP app\",\"ownerEmail\":\"" + uniqueEmail("smtp") + "\",\"plan\":\"pro-1000\"}");
        JsonNode key = created.json().get("apiKey");
        Master master = new Master(created.json().get("master").get("id").asString(), Api.withKey(port, key));
        String from = confirmedSender(master, "smtp.example.test");
        String to = uniqueEmail("smtp-reader");
        submit(key.get("publicKey").asString(), key.get("secret").asString(), from, to, "Over SMTP");
        assertThat(arrived(to, "Over SMTP")).isTrue();
        JsonNode listed = master.api().get("/api/v1/messages?recipient=" + to).json().get("items").get(0);
        UUID keyId = jdbc.sql("select id from api_key where public_key = ?").param(key.get("publicKey").asString())
                .query(UUID.class).single();
        assertThat(listed.get("apiKeyId").asString()).isEqualTo(keyId.toString());
    }

    @Test
    @DisplayName("D-30: mail submitted over SMTP is DKIM-signed with its body canonicalised relaxed (the client's own bytes), and verifies")
    void d30SubmittedMailSignedRelaxed() throws Exception {
        Api.Response created = operator().post("/api/platform/v1/masters",
                "{\"name\":\"SMTP signed\",\"ownerEmail\":\"" + uniqueEmail("smtps") + "\",\"plan\":\"pro-1000\"}");
        JsonNode key = created.json().get("apiKey");
        Master master = new Master(created.json().get("master").get("id").asString(), Api.withKey(port, key));
        JsonNode domain = master.api().post("/api/v1/domains", "{\"domain\":\"smtp-signed.example.test\"}").json();
        String from = confirmedSender(master, "smtp-signed.example.test");
        String to = uniqueEmail("smtp-signed-reader");
        submit(key.get("publicKey").asString(), key.get("secret").asString(), from, to, "Signed over SMTP");
        assertThat(arrived(to, "Signed over SMTP")).isTrue();
        MimeMessage mail = Arrays.stream(TestInfrastructure.SMTP.getReceivedMessages()).filter(m -> {
            try {
                return "Signed over SMTP".equals(m.getSubject());
            } catch (MessagingException unreadable) {
                return false;
            }
        }).findFirst().orElseThrow();
        assertThat(mail.getHeader("DKIM-Signature")[0].replaceAll("\\s+", "")).contains("c=relaxed/relaxed");
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        mail.writeTo(raw);
        String published = domain.get("dnsRecords").get(0).get("value").asString().replaceFirst("^v=DKIM1; k=rsa; p=", "");
        var publicKey = java.security.KeyFactory.getInstance("RSA").generatePublic(
                new java.security.spec.X509EncodedKeySpec(java.util.Base64.getDecoder().decode(published)));
        var verified = io.mailtree.support.DkimVerifier.verify(raw.toByteArray(), publicKey);
        assertThat(verified.valid()).as(String.valueOf(verified.reason())).isTrue();
    }

    @Test
    @DisplayName("D-12: a wrong secret, and an inactive sub-account's key, are refused at AUTH; an unverified sender at DATA")
    void d12RefusedCredentials() throws Exception {
        Master master = master("pro-1000");
        JsonNode sub = createSubaccount(master.api(), 500).json();
        String subKey = sub.get("apiKey").get("publicKey").asString();
        String subSecret = sub.get("apiKey").get("secret").asString();
        Master subAccount = new Master(sub.get("subaccount").get("id").asString(), Api.withKey(port, sub.get("apiKey")));
        String from = confirmedSender(subAccount, "sub.example.test");

        assertThatThrownBy(() -> submit(subKey, "mt_sk_wrong", from, "x@example.test", "Wrong secret"))
                .isInstanceOf(AuthenticationFailedException.class);
        assertThatThrownBy(() -> submit(subKey, subSecret, "stranger@sub.example.test", "x@example.test", "Stranger"))
                .isInstanceOf(MessagingException.class).hasMessageContaining("550");

        master.api().post("/api/v1/subaccounts/" + subAccount.id() + "/deactivate", null);
        assertThatThrownBy(() -> submit(subKey, subSecret, from, "x@example.test", "Deactivated"))
                .isInstanceOf(AuthenticationFailedException.class);
        assertThat(jdbc.sql("select count(*) from message where account_id = ?").param(UUID.fromString(subAccount.id()))
                .query(Long.class).single()).isZero();
    }

    @Test
    @DisplayName("D-29: a Bcc header submitted over SMTP is removed before queuing; the Bcc recipient still gets the message")
    void d29BccHeaderStripped() throws Exception {
        Api.Response created = operator().post("/api/platform/v1/masters",
                "{\"name\":\"SMTP Bcc\",\"ownerEmail\":\"" + uniqueEmail("bcc") + "\",\"plan\":\"pro-1000\"}");
        JsonNode key = created.json().get("apiKey");
        Master master = new Master(created.json().get("master").get("id").asString(), Api.withKey(port, key));
        String from = confirmedSender(master, "bcc.example.test");
        String to = uniqueEmail("bcc-visible");
        String hidden = uniqueEmail("bcc-hidden");
        String subject = "Bcc " + UUID.randomUUID();
        // Jakarta Mail drops Bcc itself when it sends, so the client here speaks SMTP by hand, as some do.
        String mime = "From: <" + from + ">\r\nTo: <" + to + ">\r\nBcc: <" + hidden + ">\r\nSubject: " + subject
                + "\r\nContent-Length: 9999\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
                + "Hello with a hidden copy.\r\n";
        try (Socket socket = new Socket("127.0.0.1", submissionPort)) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);
            assertThat(reply(in)).startsWith("220");
            assertThat(command(out, in, "EHLO client.example.test")).startsWith("250");
            String plain = Base64.getEncoder().encodeToString(("\0" + key.get("publicKey").asString() + "\0"
                    + key.get("secret").asString()).getBytes(StandardCharsets.UTF_8));
            assertThat(command(out, in, "AUTH PLAIN " + plain)).startsWith("235");
            assertThat(command(out, in, "MAIL FROM:<" + from + ">")).startsWith("250");
            assertThat(command(out, in, "RCPT TO:<" + to + ">")).startsWith("250");
            assertThat(command(out, in, "RCPT TO:<" + hidden + ">")).startsWith("250");
            assertThat(command(out, in, "DATA")).startsWith("354");
            assertThat(command(out, in, mime + ".")).startsWith("250");
            command(out, in, "QUIT");
        }

        byte[] queued = jdbc.sql("select mime from message where account_id = ? and subject = ?")
                .params(UUID.fromString(master.id()), subject).query(byte[].class).single();
        assertThat(new String(queued, StandardCharsets.US_ASCII)).doesNotContainIgnoringCase("bcc:")
                .doesNotContain(hidden).doesNotContainIgnoringCase("content-length:").contains("Hello with a hidden copy.");
        assertThat(arrived(to, subject)).isTrue();
        MimeMessage hiddenCopy = awaitInMailbox(hidden, subject);
        assertThat(hiddenCopy.getHeader("Bcc")).isNull();
        for (MimeMessage copy : TestInfrastructure.SMTP.getReceivedMessages()) {
            if (subject.equals(copy.getSubject())) {
                ByteArrayOutputStream raw = new ByteArrayOutputStream();
                copy.writeTo(raw);
                assertThat(raw.toString(StandardCharsets.US_ASCII)).doesNotContainIgnoringCase("bcc:").doesNotContain(hidden);
            }
        }
    }

    @Test
    @DisplayName("D-29: the client's Received, Received-SPF and Authentication-Results headers are removed at submission")
    void d29ClientTraceHeadersStripped() throws Exception {
        Api.Response created = operator().post("/api/platform/v1/masters",
                "{\"name\":\"SMTP trace\",\"ownerEmail\":\"" + uniqueEmail("trace") + "\",\"plan\":\"pro-1000\"}");
        JsonNode key = created.json().get("apiKey");
        Master master = new Master(created.json().get("master").get("id").asString(), Api.withKey(port, key));
        String from = confirmedSender(master, "trace.example.test");
        String to = uniqueEmail("trace-reader");
        String subject = "Trace " + UUID.randomUUID();
        String mime = "Received: from forged.example (forged.example [192.0.2.66])\r\n\tby mx.victim.example; "
                + "Mon, 1 Jan 2024 00:00:00 +0000\r\nAuthentication-Results: mx.victim.example; dkim=pass; spf=pass\r\n"
                + "Received-SPF: pass (forged verdict)\r\nFrom: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: " + subject
                + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nTraced.\r\n";
        try (Socket socket = new Socket("127.0.0.1", submissionPort)) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);
            assertThat(reply(in)).startsWith("220");
            assertThat(command(out, in, "EHLO client.example.test")).startsWith("250");
            String plain = Base64.getEncoder().encodeToString(("\0" + key.get("publicKey").asString() + "\0"
                    + key.get("secret").asString()).getBytes(StandardCharsets.UTF_8));
            assertThat(command(out, in, "AUTH PLAIN " + plain)).startsWith("235");
            assertThat(command(out, in, "MAIL FROM:<" + from + ">")).startsWith("250");
            assertThat(command(out, in, "RCPT TO:<" + to + ">")).startsWith("250");
            assertThat(command(out, in, "DATA")).startsWith("354");
            assertThat(command(out, in, mime + ".")).startsWith("250");
            command(out, in, "QUIT");
        }

        String queued = new String(jdbc.sql("select mime from message where account_id = ? and subject = ?")
                .params(UUID.fromString(master.id()), subject).query(byte[].class).single(), StandardCharsets.US_ASCII);
        assertThat(queued).doesNotContain("forged").doesNotContainIgnoringCase("authentication-results:")
                .doesNotContainIgnoringCase("received-spf:").doesNotContainIgnoringCase("received:").contains("Traced.");
        assertThat(arrived(to, subject)).isTrue();
        for (MimeMessage copy : TestInfrastructure.SMTP.getReceivedMessages()) {
            if (subject.equals(copy.getSubject())) {
                ByteArrayOutputStream raw = new ByteArrayOutputStream();
                copy.writeTo(raw);
                assertThat(raw.toString(StandardCharsets.US_ASCII)).doesNotContain("forged")
                        .doesNotContain("mx.victim.example");
            }
        }
    }

    /** The copy in {@code address}'s mailbox: found by the envelope, since no header names a Bcc recipient. */
    private static MimeMessage awaitInMailbox(String address, String subject) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            var user = TestInfrastructure.SMTP.getUserManager().getUserByEmail(address);
            if (user != null) {
                for (var stored : TestInfrastructure.SMTP.getManagers().getImapHostManager().getInbox(user).getMessages()) {
                    if (subject.equals(stored.getMimeMessage().getSubject())) {
                        return stored.getMimeMessage();
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no message " + subject + " in the mailbox of " + address);
    }
}
