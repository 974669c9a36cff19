package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.campaigns.Campaign;
import io.mailtree.campaigns.Campaigns;
import io.mailtree.contacts.ContactLists;
import io.mailtree.contacts.Contacts;
import io.mailtree.content.EmailDraft;
import io.mailtree.content.Emails;
import io.mailtree.shared.AccountId;
import io.mailtree.support.WebSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The campaigns page in real headless Chromium: a campaign sent now to a list goes out through the
 * periodic fan-out and the relay, and the page's progress bar, refreshed by htmx, reaches 100 % with
 * the state shown in English, French and Japanese.
 */
class CampaignsBrowserIntegrationTests extends BrowserTestSupport {

    private static final String PASSWORD = "campaigns-browser-password";

    @Autowired
    Campaigns campaigns;

    @Autowired
    Contacts contacts;

    @Autowired
    ContactLists lists;

    @Autowired
    Emails emails;

    /** The row of the campaign, read in one script: htmx replaces the table while it is read. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> row(long campaignId) {
        return (Map<String, Object>) ((JavascriptExecutor) browser).executeScript("""
                var r = document.querySelector('tr[data-campaign="' + arguments[0] + '"]');
                if (!r) { return null; }
                return {status: r.querySelector('.campaign-status').textContent.trim(),
                        percent: r.querySelector('.campaign-percent').textContent.trim(),
                        value: r.querySelector('progress').value,
                        queued: r.querySelector('.campaign-queued').textContent.trim()};""", String.valueOf(campaignId));
    }

    @Test
    @DisplayName("a campaign sent now: the campaigns page's progress bar reaches 100 % and says Sent, in en, fr and ja")
    void progressBarReachesAHundredPercentInEachLanguage() {
        Master master = master("pro-5000");
        AccountId account = id(master.id());
        String domain = "b" + UUID.randomUUID().toString().substring(0, 8) + ".example.test";
        String from = "news@" + domain;
        verifiedDomain(master, domain);
        master.api().post("/api/v1/senders", "{\"email\":\"" + from + "\",\"name\":\"News\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(from, 1), "/senders/confirm"));
        long listId = lists.create(account, "Readers").id();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(contacts.create(account, uniqueEmail("bar" + i), "Reader " + i, null, Map.of()).id());
        }
        lists.addContactIds(account, listId, ids);
        long emailId = emails.create(account, new EmailDraft("Progress", "REGULAR", "Hello {{name}}", "News", from, null,
                null, "<p>Hello {{name}}</p>", null, null, List.of(listId))).id();

        signIn(ownerOf(master, PASSWORD), PASSWORD);
        waitFor(d -> d.getCurrentUrl().contains("/home"));
        Campaign campaign = campaigns.create(account, new Campaigns.CampaignRequest(emailId, "Progress", null, null, null));
        open("/campaigns?lang=en");
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(d -> {
            Map<String, Object> row = row(campaign.id());
            return row != null && "100 %".equals(row.get("percent"));
        });
        Map<String, Object> done = row(campaign.id());
        assertThat(done.get("status")).isEqualTo("Sent");
        assertThat(done.get("queued")).isEqualTo("40 / 40");
        assertThat(((Number) done.get("value")).intValue()).isEqualTo(100);
        Chromium.screenshot(browser, "campaigns-01-sent");

        for (Map.Entry<String, String> language : Map.of("fr", "Envoyée", "ja", "配信完了").entrySet()) {
            open("/campaigns?lang=" + language.getKey());
            waitFor(d -> row(campaign.id()) != null);
            assertThat(row(campaign.id()).get("status")).isEqualTo(language.getValue());
            assertThat(browser.findElement(org.openqa.selenium.By.tagName("h1")).getText())
                    .isEqualTo(language.getKey().equals("fr") ? "Campagnes" : "キャンペーン");
        }
    }
}
