package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.Properties;
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
        new WebSession(port).get(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        return address;
    }

    private void submit(String user, String password, String from, String to, String subject) throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", String.valueOf(submissionPort));
        properties.put("mail.smtp.auth", "true");
        Session session = Session.getInstance(properties);
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText("Sent over SMTP submission.");
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect("127.0.0.1", submissionPort, user, password);
            transport.sendMessage(message, message.getAllRecipients());
        }
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
}
