package io.mailtree.content;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.util.List;
import java.util.UUID;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The e-mail page's readiness panel ("What is missing"), as the owner reads it: a placeholder that
 * names no contact property is listed by name, an unconfirmed sender is flagged, and only an e-mail
 * with neither says nothing is missing. A sender confirmed by another account does not count.
 */
class EmailReadinessIntegrationTests extends MailtreeTestBase {

    private static long email(Api api, String subject, String html, String from) {
        Api.Response created = api.post("/api/v1/emails", "{\"name\":\"Readiness\",\"subject\":\"" + subject
                + "\",\"fromName\":\"Shop\",\"fromEmail\":\"" + from + "\",\"html\":\"" + html + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asLong();
    }

    private void confirmSender(Api api, String address) {
        Api.Response created = api.post("/api/v1/senders", "{\"email\":\"" + address + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
    }

    private static Element panel(WebSession session, long email) {
        WebSession.Page page = session.get("/emails/" + email);
        assertThat(page.status()).isEqualTo(200);
        Document document = Jsoup.parse(page.body());
        return document.getElementById("missing");
    }

    private static List<String> placeholders(Element panel) {
        return panel.select("li[data-missing=placeholder]").eachAttr("data-placeholder");
    }

    @Test
    @DisplayName("Unknown placeholders are listed by name and an unconfirmed sender is flagged, instead of \"Nothing is missing\"")
    void unknownPlaceholdersAndUnconfirmedSenderAreReported() {
        Master master = master("pro-1000");
        master.api().post("/api/v1/contact-properties", "{\"key\":\"first_name\",\"label\":\"First name\"}");
        String from = "news-" + UUID.randomUUID().toString().substring(0, 6) + "@readiness.example.test";
        master.api().post("/api/v1/senders", "{\"email\":\"" + from + "\"}");
        long email = email(master.api(), "Hi {{ contact.first_name }}",
                "<p>{{first_name}}, {{{ shop_name }}} {{default city \\\"Paris\\\"}} {{email}}</p>"
                        + "{{#each items}}<b>{{title}}</b>{{/each}}{{!-- {{ignored}} --}}", from);
        WebSession owner = signInAsOwner(master);

        Element panel = panel(owner, email);
        assertThat(placeholders(panel)).containsExactly("contact.first_name", "shop_name", "city", "items");
        assertThat(panel.select("li[data-placeholder='contact.first_name']").text())
                .contains("{{ contact.first_name }}").contains("no contact property");
        assertThat(panel.getElementById("missing-sender-unconfirmed").text()).contains(from).contains("not confirmed");
        assertThat(panel.getElementById("nothing-missing")).isNull();
        // The API says the same.
        var validation = master.api().get("/api/v1/emails/" + email + "/validation").json();
        assertThat(validation.get("unknownPlaceholders").values().stream().map(n -> n.asString()).toList())
                .containsExactly("contact.first_name", "shop_name", "city", "items");
        assertThat(validation.get("unconfirmedSender").asString()).isEqualTo(from);

        // In French the same facts, in French.
        Element french = Jsoup.parse(owner.get("/emails/" + email + "?lang=fr").body()).getElementById("missing");
        assertThat(french.select("li[data-placeholder='shop_name']").text()).contains("ne correspond à aucune propriété");
        assertThat(french.getElementById("missing-sender-unconfirmed").text()).contains("n’est pas confirmée");
        owner.get("/home?lang=en");

        // The sender confirmed (the link of the mail its addition sent) and the properties defined: only the
        // misspelt placeholder remains.
        new WebSession(port).confirm(linkIn(awaitMailTo(from, 1), "/senders/confirm"));
        for (String key : new String[] {"shop_name", "city", "items"}) {
            master.api().post("/api/v1/contact-properties", "{\"key\":\"" + key + "\",\"label\":\"" + key + "\"}");
        }
        panel = panel(owner, email);
        assertThat(placeholders(panel)).containsExactly("contact.first_name");
        assertThat(panel.getElementById("missing-sender-unconfirmed")).isNull();
    }

    @Test
    @DisplayName("An e-mail with known placeholders, a confirmed sender and a list is ready; another account's confirmation does not count")
    void completeEmailIsReadyAndAnotherAccountsSenderIsNot() {
        Master master = master("pro-1000");
        master.api().post("/api/v1/contact-properties", "{\"key\":\"first_name\",\"label\":\"First name\"}");
        String from = "news-" + UUID.randomUUID().toString().substring(0, 6) + "@readiness.example.test";
        confirmSender(master.api(), from);
        long list = master.api().post("/api/v1/lists", "{\"name\":\"Readers\"}").json().get("id").asLong();
        long email = email(master.api(), "Hi {{default first_name \\\"you\\\"}}", "<p>Hello {{name}}</p>", from);
        assertThat(master.api().patch("/api/v1/emails/" + email, "{\"listIds\":[" + list + "]}").status()).isEqualTo(200);
        Element panel = panel(signInAsOwner(master), email);
        assertThat(panel.getElementById("nothing-missing")).isNotNull();
        assertThat(panel.select("li.missing-item")).isEmpty();

        // The same address in another account, which never confirmed it there, is flagged.
        Master other = master("pro-1000");
        long theirs = email(other.api(), "Hi", "<p>Hello</p>", from);
        Element theirPanel = panel(signInAsOwner(other), theirs);
        assertThat(theirPanel.getElementById("missing-sender-unconfirmed")).isNotNull();
        // And the first account's e-mail is not theirs to read.
        assertThat(signInAsOwner(other).get("/emails/" + email).status()).isEqualTo(404);
    }
}
