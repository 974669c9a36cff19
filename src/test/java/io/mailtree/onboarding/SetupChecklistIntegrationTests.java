package io.mailtree.onboarding;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The home page's setup checklist: each step read from real state, both ways; dismissal per account. */
class SetupChecklistIntegrationTests extends MailtreeTestBase {

    private static Map<String, Boolean> steps(String html) {
        Map<String, Boolean> steps = new LinkedHashMap<>();
        Jsoup.parse(html).select("#setup-checklist li.step")
                .forEach(li -> steps.put(li.id().substring("step-".length()), "true".equals(li.attr("data-done"))));
        return steps;
    }

    @Test
    @DisplayName("Each step follows the account's state, ticking and unticking: a key once used, a sender once confirmed and no longer when removed, contacts")
    void stepsFollowRealState() {
        Master master = master("pro-1000");
        WebSession web = signInAsOwner(master);
        Map<String, Boolean> start = steps(web.get("/home").body());
        assertThat(start.keySet()).containsExactly("confirm", "sender", "domain", "key", "contacts", "send");
        assertThat(start.get("confirm")).isEqualTo(accountTree.require(id(master.id())).isVerified());
        // The provisioned key's secret was handed to the operator's caller, but nobody has used it yet.
        assertThat(start).containsEntry("key", false).containsEntry("sender", false).containsEntry("contacts", false)
                .containsEntry("domain", false).containsEntry("send", false);

        String address = uniqueEmail("checklist-sender");
        long sender = master.api().post("/api/v1/senders", "{\"email\":\"" + address + "\"}").json().get("id").asLong();
        Map<String, Boolean> added = steps(web.get("/home").body());
        assertThat(added).as("a used key: someone holds its secret").containsEntry("key", true)
                .as("a sender waiting for its link").containsEntry("sender", false);

        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        assertThat(steps(web.get("/home").body())).containsEntry("sender", true);
        assertThat(master.api().send("DELETE", "/api/v1/senders/" + sender, null).status()).isEqualTo(204);
        assertThat(steps(web.get("/home").body())).as("its only sender removed").containsEntry("sender", false);

        setOwnActiveContacts(master.id(), 3);
        assertThat(steps(web.get("/home").body())).containsEntry("contacts", true);

        // Links lead to each step's page.
        Document home = Jsoup.parse(web.get("/home").body());
        assertThat(home.select("#step-sender a").attr("href")).isEqualTo("/senders");
        assertThat(home.select("#step-domain a").attr("href")).isEqualTo("/senders#domains");
        assertThat(home.select("#step-send a").attr("href")).isEqualTo("/emails");
        assertThat(home.select("#step-contacts a")).as("a step done has no link").isEmpty();
    }

    @Test
    @DisplayName("Dismissing hides the checklist for good for that account only; it reads in French and Japanese")
    void dismissalIsPerAccountAndKept() {
        Master one = master("pro-1000");
        Master other = master("pro-1000");
        WebSession web = signInAsOwner(one);
        assertThat(Jsoup.parse(web.get("/home?lang=fr").body()).select("#setup-checklist h2").text())
                .isEqualTo("Préparez votre premier envoi");
        assertThat(Jsoup.parse(web.get("/home?lang=ja").body()).select("#step-send").text()).contains("最初のメッセージを送信する");
        web.get("/home?lang=en");

        WebSession.Page dismissed = web.post("/setup-checklist/dismiss", Map.of());
        assertThat(dismissed.status()).isEqualTo(302);
        assertThat(dismissed.location()).endsWith("/home");
        String after = web.get("/home").body();
        assertThat(Jsoup.parse(after).select("#setup-checklist")).isEmpty();
        assertThat(after).contains("The setup checklist is hidden.");
        assertThat(Jsoup.parse(web.get("/home").body()).select("#setup-checklist")).as("still hidden").isEmpty();
        assertThat(web.post("/setup-checklist/dismiss", Map.of()).status()).as("twice is harmless").isEqualTo(302);
        assertThat(jdbc.sql("select count(*) from setup_checklist_dismissal where account_id = ?")
                .param(java.util.UUID.fromString(one.id())).query(Long.class).single()).isEqualTo(1);

        assertThat(Jsoup.parse(signInAsOwner(other).get("/home").body()).select("#setup-checklist")).hasSize(1);
    }
}
