package io.mailtree.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.support.Api;
import io.mailtree.support.SmtpSubmissions;
import io.mailtree.support.WebSession;
import jakarta.mail.MessagingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;

/**
 * D-19's pause: a paused key's new mail is refused over HTTP (403 {@code key_paused}, problem
 * details) and over SMTP submission (550 5.7.1); the operator resumes it with a reason, audited; the
 * thresholds are the operator's to edit, and bad values change nothing.
 */
class KeyPauseIntegrationTests extends ReputationTestSupport {

    @Value("${mailtree.submission-port}")
    int submissionPort;

    private String confirmedSender(Api api) {
        String address = "rep-" + UUID.randomUUID().toString().substring(0, 6) + "@pause.example.test";
        api.post("/api/v1/senders", "{\"email\":\"" + address + "\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        return address;
    }

    /** Crosses the complaint pause threshold for the key through the consumer. */
    private void pause(String account, UUID key) {
        minimumVolume(10);
        Instant now = clock().instant();
        List<io.mailtree.shared.outcomes.Outcome> batch = new ArrayList<>(sentAndDelivered(account, key, 10, 10, now));
        batch.add(complaint(account, key, now));
        apply(batch);
        assertThat(paused(key)).isTrue();
    }

    private static String message(String from, String to) {
        return "{\"messages\":[{\"from\":{\"email\":\"" + from + "\"},\"to\":[{\"email\":\"" + to
                + "\"}],\"subject\":\"Hello\",\"text\":\"Hi\"}]}";
    }

    private void submit(JsonNode key, String from, String to) throws MessagingException {
        SmtpSubmissions.submit(submissionPort, key.get("publicKey").asString(), key.get("secret").asString(), from, to,
                "Over SMTP");
    }

    private long messagesOfKey(UUID key) {
        return jdbc.sql("select count(*) from message where api_key_id = ?").param(key).query(Long.class).single();
    }

    @Test
    @DisplayName("D-19: a paused key's new mail is refused with key_paused over HTTP (403) and SMTP (550 5.7.1); the account's other key still sends")
    void d19_pausedKeyRefusedOverHttpAndSmtp() throws Exception {
        Master master = master("pro-5000");
        Api.Response created = createSubaccount(master.api(), "Shop " + UUID.randomUUID(), uniqueEmail("shop"), null, 500);
        JsonNode sub = created.json();
        JsonNode key = sub.get("apiKey");
        Api shop = Api.withKey(port, key);
        String from = confirmedSender(shop);
        String to = uniqueEmail("reader");
        assertThat(shop.post("/api/v1/send", message(from, to)).status()).isEqualTo(200);
        UUID keyId = UUID.fromString(key.get("id").asString());
        pause(sub.get("subaccount").get("id").asString(), keyId);
        long before = messagesOfKey(keyId);

        Api.Response refused = shop.post("/api/v1/send", message(from, to));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.contentType()).contains("application/problem+json");
        assertThat(refused.code()).isEqualTo("key_paused");
        assertThat(refused.json().get("pausedAt").asString()).isNotBlank();

        assertThatThrownBy(() -> submit(key, from, to)).isInstanceOf(MessagingException.class)
                .hasMessageContaining("550").hasMessageContaining("5.7.1").hasMessageContaining("paused");
        assertThat(messagesOfKey(keyId)).isEqualTo(before);

        // Reading its own reputation still works with the paused key, and says why.
        JsonNode reputation = shop.get("/api/v1/keys/" + keyId + "/reputation").json();
        assertThat(reputation.get("status").asString()).isEqualTo("PAUSED");
        assertThat(reputation.get("pause").get("alert").get("threshold").asString()).isEqualTo("complaint.pause");
        assertThat(reputation.get("pause").get("alert").get("count").asLong()).isEqualTo(1);
        assertThat(reputation.get("pause").get("alert").get("outOf").asLong()).isEqualTo(10);

        // D-20: the master's own key is not paused by its sub-account's.
        String masterFrom = confirmedSender(master.api());
        assertThat(master.api().post("/api/v1/send", message(masterFrom, to)).json().get("results").get(0)
                .get("status").asString()).isEqualTo("accepted");
    }

    @Test
    @DisplayName("D-19, D-32: the operator resumes a paused key with a reason, audited; without a reason nothing changes; the key sends again")
    void d19_operatorResumesWithReason() {
        Master master = master("pro-1000");
        UUID keyId = primaryKey(master.id());
        pause(master.id(), keyId);
        WebSession operator = new WebSession(port);
        operator.signIn("operator@mailtree.test", "operator-password-123");
        String console = operator.get("/platform/reputation?lang=en").body();
        assertThat(console).contains("id=\"paused-keys\"").contains("data-key=\"" + keyId + "\"")
                .contains("id=\"console-alerts\"").contains("complaints at 10 % (threshold 0.3 %): 1 out of 10 over 168 hours");

        WebSession.Page noReason = operator.post("/platform/reputation/keys/" + keyId + "/resume", Map.of("reason", " "));
        assertThat(operator.follow(noReason).body()).contains("Say why the key is resumed");
        assertThat(paused(keyId)).isTrue();

        operator.get("/platform/reputation");
        operator.follow(operator.post("/platform/reputation/keys/" + keyId + "/resume",
                Map.of("reason", "list cleaned, double opt-in added")));
        assertThat(paused(keyId)).isFalse();
        Map<String, Object> audit = jdbc.sql("select * from audit_event where account_id = ? and action = 'key.resumed'")
                .param(UUID.fromString(master.id())).query().singleRow();
        assertThat(audit).containsEntry("actor", "operator@mailtree.test").containsEntry("actor_kind", "OPERATOR");
        assertThat((String) audit.get("detail")).contains("list cleaned, double opt-in added");
        JsonNode reputation = master.api().get("/api/v1/keys/" + keyId + "/reputation").json();
        assertThat(reputation.get("status").asString()).isEqualTo("ACTIVE");
        assertThat(reputation.get("lastResume").get("reason").asString()).isEqualTo("list cleaned, double opt-in added");
        assertThat(master.api().post("/api/v1/send", message("nobody@unconfirmed.example.test", uniqueEmail("r")))
                .json().get("results").get(0).get("code").asString()).isEqualTo("sender_not_verified");

        // Resuming a key that is not paused is a readable refusal.
        operator.get("/platform/reputation");
        assertThat(operator.follow(operator.post("/platform/reputation/keys/" + keyId + "/resume",
                Map.of("reason", "again"))).body()).contains("is not paused");
    }

    @Test
    @DisplayName("D-19: the operator edits thresholds, actions and the minimum volume beside the published reference points; bad values change nothing")
    void d19_operatorEditsThresholds() {
        WebSession operator = new WebSession(port);
        operator.signIn("operator@mailtree.test", "operator-password-123");
        String page = operator.get("/platform/reputation?lang=en").body();
        assertThat(page).contains("Mailbox providers ask bulk senders to stay under 0.3 % complaints.")
                .contains("Large providers review accounts near 5 % hard bounces.")
                .contains("Large providers review accounts near 0.1 % complaints.")
                .contains("name=\"rate.complaint.pause\" value=\"0.3\"");
        assertThat(operator.get("/platform/reputation?lang=fr").body()).contains("Repères publiés");
        assertThat(operator.get("/platform/reputation?lang=ja").body()).contains("公表されている目安");

        operator.get("/platform/reputation?lang=en");
        String refused = operator.follow(operator.post("/platform/reputation/thresholds", Map.of("minimumVolume", "200",
                "windowHours", "24", "rate.complaint.pause", "150", "action.complaint.pause", "PAUSE"))).body();
        assertThat(refused).contains("A threshold is a percentage above 0 and at most 100");
        assertThat(thresholds.settings().minimumVolume()).isEqualTo(500);

        operator.get("/platform/reputation");
        operator.follow(operator.post("/platform/reputation/thresholds", Map.of("minimumVolume", "200", "windowHours",
                "24", "rate.complaint.pause", "0.25", "action.complaint.pause", "PAUSE", "rate.hard_bounce.warn", "4",
                "action.hard_bounce.warn", "PAUSE")));
        ReputationThresholds.Settings settings = thresholds.settings();
        assertThat(settings.minimumVolume()).isEqualTo(200);
        assertThat(settings.windowHours()).isEqualTo(24);
        assertThat(settings.thresholds()).anySatisfy(t -> {
            assertThat(t.code()).isEqualTo("complaint.pause");
            assertThat(t.ratePercent()).isEqualByComparingTo("0.25");
        }).anySatisfy(t -> {
            assertThat(t.code()).isEqualTo("hard_bounce.warn");
            assertThat(t.action()).isEqualTo(ReputationThresholds.Action.PAUSE);
        });
        // An account's user cannot reach the console.
        Master master = master("pro-1000");
        assertThat(master.api().get("/platform/reputation").status()).isNotEqualTo(200);
    }
}
