package io.mailtree.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Webhook endpoints through the API and the pages, with the default setting (no private range
 * allowed): SSRF refusals when saving (each a stable code, nothing saved), bad input, tenancy
 * (another account's endpoint answers 404 everywhere), the secret and its rotation, the pages in
 * three languages. Endpoints here use a public IP literal, so no test depends on DNS.
 */
class WebhooksIntegrationTests extends MailtreeTestBase {

    private static final String PUBLIC_URL = "https://93.184.215.14/mailtree";
    private static final String PASSWORD = "webhooks-password-1";

    private Master master;

    @BeforeEach
    void account() {
        master = master("pro-1000");
    }

    private long endpointRows(String account) {
        return jdbc.sql("select count(*) from webhook_endpoint where account_id = ?").param(UUID.fromString(account))
                .query(Long.class).single();
    }

    private Api.Response create(Api api, String url) {
        return api.post("/api/v1/webhooks", "{\"url\":\"" + url + "\",\"eventTypes\":[\"message.delivered\"]}");
    }

    @ParameterizedTest
    @CsvSource({
            "http://10.1.2.3/hook, webhook_url_forbidden_address",
            "http://192.168.0.10:8080/hook, webhook_url_forbidden_address",
            "http://172.20.0.1/hook, webhook_url_forbidden_address",
            "http://127.0.0.1:8080/hook, webhook_url_forbidden_address",
            "http://localhost:8080/hook, webhook_url_forbidden_address",
            "http://169.254.169.254/latest/meta-data/, webhook_url_forbidden_address",
            "http://100.64.1.1/, webhook_url_forbidden_address",
            "http://[::1]:8080/, webhook_url_forbidden_address",
            "http://[::ffff:10.0.0.1]/, webhook_url_forbidden_address",
            "http://[fd00::1]/, webhook_url_forbidden_address",
            "http://[fe80::1]/, webhook_url_forbidden_address",
            "https://user:secret@93.184.215.14/hook, webhook_url_credentials",
            "ftp://93.184.215.14/hook, webhook_url_scheme",
            "not a url, webhook_url_invalid"})
    void unsafeUrlsAreRefusedWhenSavedAndNothingIsSaved(String url, String code) {
        Api.Response refused = create(master.api(), url);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.code()).isEqualTo(code);
        assertThat(endpointRows(master.id())).isZero();
    }

    @Test
    void aChangeToAnUnsafeUrlIsRefusedAndChangesNothing() {
        String id = create(master.api(), PUBLIC_URL).json().get("id").asString();
        Api.Response refused = master.api().patch("/api/v1/webhooks/" + id, "{\"url\":\"http://169.254.169.254/\"}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.code()).isEqualTo("webhook_url_forbidden_address");
        assertThat(master.api().get("/api/v1/webhooks/" + id).json().get("url").asString()).isEqualTo(PUBLIC_URL);
    }

    @Test
    void badInputIsRefusedWithStableCodes() {
        assertThat(master.api().post("/api/v1/webhooks", "{\"url\":\"" + PUBLIC_URL + "\",\"eventTypes\":[]}").code())
                .isEqualTo("webhook_event_types_empty");
        Api.Response unknown = master.api().post("/api/v1/webhooks", "{\"url\":\"" + PUBLIC_URL
                + "\",\"eventTypes\":[\"message.teleported\"]}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.code()).isEqualTo("webhook_event_type_unknown");
        assertThat(endpointRows(master.id())).isZero();
        String id = create(master.api(), PUBLIC_URL).json().get("id").asString();
        Api.Response grace = master.api().post("/api/v1/webhooks/" + id + "/rotate-secret", "{\"graceHours\":25}");
        assertThat(grace.status()).isEqualTo(400);
        assertThat(grace.code()).isEqualTo("webhook_grace_invalid");
        assertThat(master.api().get("/api/v1/webhooks/not-an-id").code()).isEqualTo("webhook_not_found");
        assertThat(master.api().get("/api/v1/webhooks/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    @Test
    void anotherAccountsEndpointAnswers404EverywhereAndIsLeftAlone() {
        Api.Response created = create(master.api(), PUBLIC_URL);
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asString();
        Api other = master("pro-1000").api();
        String path = "/api/v1/webhooks/" + id;
        assertThat(other.get(path).status()).isEqualTo(404);
        assertThat(other.get(path).code()).isEqualTo("webhook_not_found");
        assertThat(other.patch(path, "{\"enabled\":false}").status()).isEqualTo(404);
        assertThat(other.send("DELETE", path, null).status()).isEqualTo(404);
        assertThat(other.get(path + "/secret").status()).isEqualTo(404);
        assertThat(other.post(path + "/rotate-secret", "{}").status()).isEqualTo(404);
        assertThat(other.post(path + "/test", null).status()).isEqualTo(404);
        assertThat(other.get(path + "/deliveries").status()).isEqualTo(404);
        assertThat(other.get("/api/v1/webhooks").json().size()).isZero();
        assertThat(master.api().get(path).json().get("enabled").asBoolean()).isTrue();
        assertThat(jdbc.sql("select count(*) from webhook_delivery where endpoint_id = ?").param(UUID.fromString(id))
                .query(Long.class).single()).isZero();
    }

    @Test
    void theSecretIsAWhsecValueAndRotationReplacesIt() {
        Api.Response created = create(master.api(), PUBLIC_URL);
        String id = created.json().get("id").asString();
        String secret = created.json().get("secret").asString();
        assertThat(secret).matches("whsec_[A-Za-z0-9+/]{43}=");
        assertThat(master.api().get("/api/v1/webhooks/" + id).json().get("secret").isNull()).isTrue();
        assertThat(master.api().get("/api/v1/webhooks/" + id + "/secret").json().get("secret").asString()).isEqualTo(secret);
        Api.Response rotated = master.api().post("/api/v1/webhooks/" + id + "/rotate-secret", null);
        assertThat(rotated.status()).isEqualTo(200);
        assertThat(rotated.json().get("secret").asString()).isNotEqualTo(secret);
        assertThat(rotated.json().get("previousSecretUntil").isNull()).isFalse();
        assertThat(master.api().get("/api/v1/webhooks/" + id + "/secret").json().get("secret").asString())
                .isEqualTo(rotated.json().get("secret").asString());
    }

    private WebSession signIn() {
        String owner = jdbc.sql("select email from app_user where account_id = ?").param(UUID.fromString(master.id()))
                .query(String.class).single();
        jdbc.sql("update app_user set password_hash = ? where account_id = ?")
                .params("{noop}" + PASSWORD, UUID.fromString(master.id())).update();
        WebSession session = new WebSession(port);
        assertThat(session.signIn(owner, PASSWORD)).endsWith("/home");
        return session;
    }

    @Test
    void thePagesAddAnEndpointRefuseAnUnsafeOneAndSpeakThreeLanguages() {
        WebSession web = signIn();
        WebSession.Page list = web.get("/webhooks");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains("id=\"no-webhooks\"").contains("id=\"nav-webhooks\"");

        WebSession.Page refused = web.post("/webhooks", Map.of("url", "http://169.254.169.254/latest/meta-data/",
                "eventType", "message.bounced"));
        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.body()).contains("169.254.169.254").contains("class=\"problem\"");
        assertThat(endpointRows(master.id())).isZero();

        WebSession.Page added = web.post("/webhooks", Map.of("url", PUBLIC_URL, "eventType", "message.bounced",
                "description", "CRM"));
        assertThat(added.status()).isEqualTo(302);
        WebSession.Page detail = web.follow(added);
        assertThat(detail.body()).contains("id=\"new-secret\"").contains("whsec_").contains("id=\"send-test\"")
                .contains("id=\"no-deliveries\"");
        String id = master.api().get("/api/v1/webhooks").json().get(0).get("id").asString();
        assertThat(master.api().get("/api/v1/webhooks/" + id).json().get("eventTypes").get(0).asString())
                .isEqualTo("message.bounced");

        assertThat(web.get("/webhooks/" + id + "?lang=fr").body()).contains("Journal des envois")
                .contains("Renouveler le secret");
        assertThat(web.get("/webhooks/" + id + "?lang=ja").body()).contains("送信ログ").contains("テストイベントを送信");
        assertThat(web.get("/webhooks?lang=en").body()).contains("Add an endpoint");

        WebSession.Page foreign = web.get("/webhooks/" + UUID.randomUUID());
        assertThat(foreign.status()).isEqualTo(404);
    }

    @Test
    void aGoneEndpointIsShownDisabledOnItsPage() {
        String id = create(master.api(), PUBLIC_URL).json().get("id").asString();
        jdbc.sql("update webhook_endpoint set enabled = false, disabled_reason = 'GONE' where id = ?")
                .param(UUID.fromString(id)).update();
        WebSession web = signIn();
        assertThat(web.get("/webhooks/" + id).body()).contains("id=\"webhook-gone\"").contains("410 Gone");
        assertThat(web.get("/webhooks").body()).contains("Disabled (410 Gone)");
    }
}
