package io.mailtree.content;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** D-26 and D-27: every branch of sharing e-mails, templates and images with sub-accounts. */
class EmailSharingIntegrationTests extends ContentTestSupport {

    @Autowired
    Emails emails;

    @Test
    @DisplayName("D-27: a regular draft is shared as a new draft with content, images copied and links rewritten, attachments copied")
    void d27RegularDraftIsShared() {
        Master master = master("pro-5000");
        Api api = master.api();
        JsonNode image = uploadImage(api, "logo.png", PNG);
        String imageUrl = image.get("url").asString();
        JsonNode email = completeEmail(api, imageUrl);
        long id = email.get("id").asLong();
        assertThat(email.get("status").asString()).isEqualTo("DRAFT");
        api.postMultipart("/api/v1/emails/" + id + "/attachments", Map.of(), "terms.pdf", PDF);
        JsonNode sub = createSubaccount(api, 500).json();
        String subId = sub.get("subaccount").get("id").asString();

        JsonNode result = api.post("/api/v1/emails/" + id + "/share", "{\"subaccountIds\":[\"" + subId + "\"]}").json()
                .get("results").get(0);
        assertThat(result.get("status").asString()).isEqualTo("shared");
        assertThat(result.get("attachments").asInt()).isEqualTo(1);
        long copyId = result.get("createdId").asLong();

        Api subApi = Api.withKey(port, sub.get("apiKey"));
        JsonNode copy = subApi.get("/api/v1/emails/" + copyId).json();
        assertThat(copy.get("status").asString()).isEqualTo("DRAFT");
        assertThat(copy.get("subject").asString()).isEqualTo("Hi {{first_name}}");
        assertThat(copy.get("fromName").asString()).isEqualTo("Shop");
        assertThat(copy.get("html").asString()).contains("https://shop.example/sale").doesNotContain(imageUrl);
        JsonNode copiedImage = subApi.get("/api/v1/images").json().get("items").get(0);
        assertThat(copy.get("html").asString()).contains(copiedImage.get("url").asString());
        assertThat(copiedImage.get("id").asLong()).isEqualTo(result.get("imageIds").get(0).asLong());
        JsonNode attachment = subApi.get("/api/v1/emails/" + copyId + "/attachments").json().get("items").get(0);
        assertThat(attachment.get("fileName").asString()).isEqualTo("terms.pdf");
        assertThat(Api.anonymous(port).get(copiedImage.get("url").asString().replaceFirst("^https?://[^/]+", ""))
                .status()).isEqualTo(200);

        // The copy is independent: deleting the master's image leaves the sub-account's working.
        api.send("DELETE", "/api/v1/images/" + image.get("id").asLong(), null);
        assertThat(Api.anonymous(port).get(copiedImage.get("url").asString().replaceFirst("^https?://[^/]+", ""))
                .status()).isEqualTo(200);
        assertThat(api.get("/api/v1/audit").body()).contains("email.shared");
    }

    @Test
    @DisplayName("D-27: a regular sent e-mail is shared; send history is not copied")
    void d27SentEmailIsSharedWithoutHistory() {
        Master master = master("pro-5000");
        Api api = master.api();
        long id = completeEmail(api, "https://cdn.example/x.png").get("id").asLong();
        Instant sentAt = Instant.parse("2026-11-01T09:00:00Z");
        emails.markSent(id(master.id()), id, sentAt);
        assertThat(api.get("/api/v1/emails/" + id).json().get("status").asString()).isEqualTo("SENT");
        String subId = createSubaccount(api, 500).json().get("subaccount").get("id").asString();

        JsonNode result = api.post("/api/v1/emails/" + id + "/share", "{\"subaccountIds\":[\"" + subId + "\"]}").json()
                .get("results").get(0);
        assertThat(result.get("status").asString()).isEqualTo("shared");
        JsonNode copy = api.onBehalfOf(subId).get("/api/v1/emails/" + result.get("createdId").asLong()).json();
        assertThat(copy.get("status").asString()).isEqualTo("DRAFT");
        assertThat(copy.get("sentAt").isNull()).isTrue();
        assertThat(copy.get("listIds").size()).isZero();
        assertThat(copy.get("sharedFrom").asString()).contains(String.valueOf(id));
    }

    @Test
    @DisplayName("D-27: an A/B-test e-mail cannot be shared, complete or not")
    void d27AbTestIsRefused() {
        Master master = master("pro-5000");
        Api api = master.api();
        JsonNode ab = api.post("/api/v1/emails", "{\"name\":\"AB\",\"type\":\"AB_TEST\",\"subject\":\"S\","
                + "\"fromEmail\":\"a@shop.example\",\"html\":\"<p>x</p>\",\"abTest\":{\"variants\":[{\"subject\":\"A\"},"
                + "{\"subject\":\"B\"}],\"testPercent\":20,\"winnerRule\":\"OPENS\",\"waitHours\":4}}").json();
        assertThat(ab.get("status").asString()).isEqualTo("DRAFT");
        assertThat(ab.get("shareable").asBoolean()).isFalse();
        String subId = createSubaccount(api, 500).json().get("subaccount").get("id").asString();
        Api.Response refused = api.post("/api/v1/emails/" + ab.get("id").asLong() + "/share",
                "{\"subaccountIds\":[\"" + subId + "\"]}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo("email_not_shareable");
        assertThat(refused.json().get("reason").asString()).isEqualTo("ab_test");
        assertThat(api.onBehalfOf(subId).get("/api/v1/emails").json().get("total").asInt()).isZero();
    }

    @Test
    @DisplayName("D-27: an incomplete e-mail cannot be shared; the refusal lists what is missing")
    void d27IncompleteIsRefused() {
        Master master = master("pro-5000");
        Api api = master.api();
        JsonNode incomplete = api.post("/api/v1/emails", "{\"name\":\"Half done\",\"subject\":\"S\"}").json();
        assertThat(incomplete.get("status").asString()).isEqualTo("INCOMPLETE");
        String subId = createSubaccount(api, 500).json().get("subaccount").get("id").asString();
        Api.Response refused = api.post("/api/v1/emails/" + incomplete.get("id").asLong() + "/share",
                "{\"subaccountIds\":[\"" + subId + "\"]}");
        assertThat(refused.code()).isEqualTo("email_not_shareable");
        assertThat(refused.json().get("reason").asString()).isEqualTo("incomplete");
        assertThat(refused.json().get("missing").toString()).contains("sender").contains("content");
        assertThat(api.onBehalfOf(subId).get("/api/v1/emails").json().get("total").asInt()).isZero();
    }

    @Test
    @DisplayName("D-26: templates are shared with the images they use; images are shared on their own")
    void d26TemplatesAndImages() {
        Master master = master("pro-5000");
        Api api = master.api();
        JsonNode image = uploadImage(api, "banner.png", PNG);
        JsonNode template = api.post("/api/v1/templates", "{\"name\":\"Monthly\",\"subject\":\"News\",\"html\":"
                + "\"<img src='" + image.get("url").asString() + "'><p>{{name}}</p>\"}").json();
        String subA = createSubaccount(api, 500).json().get("subaccount").get("id").asString();
        String subB = createSubaccount(api, 500).json().get("subaccount").get("id").asString();
        JsonNode results = api.post("/api/v1/templates/" + template.get("id").asLong() + "/share",
                "{\"subaccountIds\":[\"" + subA + "\",\"" + subB + "\"]}").json().get("results");
        assertThat(results.get(0).get("status").asString()).isEqualTo("shared");
        assertThat(results.get(1).get("status").asString()).isEqualTo("shared");
        JsonNode copy = api.onBehalfOf(subA).get("/api/v1/templates/" + results.get(0).get("createdId").asLong()).json();
        assertThat(copy.get("html").asString()).doesNotContain(image.get("url").asString()).contains("/i/");
        assertThat(copy.get("text").asString()).isEqualTo("{{name}}");

        JsonNode imageShare = api.post("/api/v1/images/share", "{\"imageIds\":[" + image.get("id").asLong()
                + "],\"subaccountIds\":[\"" + subB + "\"]}").json().get("results").get(0);
        assertThat(imageShare.get("imageIds").size()).isEqualTo(1);
        assertThat(api.onBehalfOf(subB).get("/api/v1/images").json().get("total").asInt()).isEqualTo(2);
    }

    @Test
    @DisplayName("D-25: the master lists its sub-accounts' e-mails with status and owner; another master sees none")
    void d25MasterOversight() {
        Master master = master("pro-5000");
        Api api = master.api();
        JsonNode sub = createSubaccount(api, 500).json();
        Api subApi = Api.withKey(port, sub.get("apiKey"));
        subApi.post("/api/v1/emails", "{\"name\":\"Local promo\"}");
        completeEmail(subApi, "https://cdn.example/x.png");
        JsonNode list = api.get("/api/v1/subaccounts/emails").json();
        assertThat(list.get("total").asInt()).isEqualTo(2);
        assertThat(list.get("items").get(0).get("subaccountName").asString())
                .isEqualTo(sub.get("subaccount").get("name").asString());
        assertThat(api.get("/api/v1/subaccounts/emails?status=DRAFT").json().get("total").asInt()).isEqualTo(1);
        assertThat(master("pro-5000").api().get("/api/v1/subaccounts/emails").json().get("total").asInt()).isZero();
        assertThat(subApi.get("/api/v1/subaccounts/emails").status()).isEqualTo(403);
    }
}
