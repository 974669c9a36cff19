package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.contacts.ContactLists;
import io.mailtree.contacts.Contacts;
import io.mailtree.content.EmailDraft;
import io.mailtree.content.Emails;
import io.mailtree.shared.AccountId;
import io.mailtree.support.WebSession;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * The campaigns page's create form in real headless Chromium: a campaign scheduled at a local time in
 * the zone the browser is in (chosen for the reader), and a form with several errors shown beside
 * their fields at once, in French and Japanese, creating nothing.
 */
@TestPropertySource(properties = "mailtree.campaigns.fan-out-every=0")
class CampaignCreateBrowserIntegrationTests extends BrowserTestSupport {

    private static final String PASSWORD = "campaign-create-password";

    @Autowired
    Contacts contacts;

    @Autowired
    ContactLists lists;

    @Autowired
    Emails emails;

    private record Draft(Master master, AccountId account, long emailId, long listId) {
    }

    private Draft draft(boolean verified) {
        Master master = master("pro-1000");
        AccountId account = id(master.id());
        String domain = "w" + UUID.randomUUID().toString().substring(0, 8) + ".example.test";
        String from = "news@" + domain;
        if (verified) {
            verifiedDomain(master, domain);
        }
        master.api().post("/api/v1/senders", "{\"email\":\"" + from + "\",\"name\":\"News\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(from, 1), "/senders/confirm"));
        long listId = lists.create(account, "Lecteurs").id();
        lists.addContactIds(account, listId,
                List.of(contacts.create(account, uniqueEmail("reader"), "Reader", null, Map.of()).id()));
        long emailId = emails.create(account, new EmailDraft("Automne", "REGULAR", "Nouvelles d'automne", "News", from,
                null, null, "<p>Bonjour {{name}}</p>", null, null, List.of())).id();
        return new Draft(master, account, emailId, listId);
    }

    private int campaignsOf(Draft draft) {
        return jdbc.sql("select count(*) from campaign where account_id = ?").param(draft.account().value())
                .query(Integer.class).single();
    }

    private void setSendAt(String localDateTime) {
        // A datetime-local input's typing order follows the browser's locale: set its value as a person's
        // picker would, in the ISO form the input submits.
        ((JavascriptExecutor) browser).executeScript("document.getElementById('sendAt').value = arguments[0];",
                localDateTime);
    }

    @Test
    @DisplayName("a campaign scheduled from the form at 09:00 in the browser's zone (Tokyo, chosen for the reader) starts at that instant")
    void schedulesACampaignAtALocalTimeInTheBrowsersZone() {
        Draft draft = draft(true);
        browser.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", "Asia/Tokyo"));
        signIn(ownerOf(draft.master(), PASSWORD), PASSWORD);
        waitFor(d -> d.getCurrentUrl().contains("/home"));
        open("/campaigns?lang=fr");
        assertThat(text(By.cssSelector("#new-campaign h2"))).isEqualTo("Nouvelle campagne");
        assertThat(new Select(browser.findElement(By.id("timeZone"))).getFirstSelectedOption().getDomAttribute("value"))
                .as("the reader's zone, from the browser").isEqualTo("Asia/Tokyo");

        new Select(browser.findElement(By.id("emailId"))).selectByValue(String.valueOf(draft.emailId()));
        browser.findElement(By.cssSelector("input.campaign-list[value='" + draft.listId() + "']")).click();
        type("campaign-name", "Automne à Tokyo");
        click(By.id("when-later"));
        String local = LocalDate.now(ZoneId.of("Asia/Tokyo")).plusDays(3) + "T09:00";
        setSendAt(local);
        Chromium.screenshot(browser, "campaign-create-01-form");
        submit(By.id("create-campaign"));

        assertThat(browser.getCurrentUrl()).endsWith("/campaigns");
        assertThat(text(By.cssSelector("p.notice"))).isEqualTo("« Automne à Tokyo » est programmée.");
        Map<String, Object> stored = jdbc.sql("select status, time_zone, scheduled_at, list_ids from campaign where account_id = ?")
                .param(draft.account().value()).query().singleRow();
        assertThat(stored.get("status")).isEqualTo("SCHEDULED");
        assertThat(stored.get("time_zone")).isEqualTo("Asia/Tokyo");
        assertThat(stored.get("list_ids")).isEqualTo(String.valueOf(draft.listId()));
        assertThat(jdbc.sql("select scheduled_at from campaign where account_id = ?").param(draft.account().value())
                .query(OffsetDateTime.class).single().toInstant())
                .isEqualTo(LocalDateTime.parse(local).atZone(ZoneId.of("Asia/Tokyo")).toInstant());
        assertThat(browser.findElements(By.cssSelector("#campaigns tr[data-status='SCHEDULED']"))).hasSize(1);
        Chromium.screenshot(browser, "campaign-create-02-scheduled");
    }

    @Test
    @DisplayName("a form with a sender that is not authenticated and a time already passed: both errors beside their fields at once, in Japanese, nothing created")
    void showsEveryErrorBesideItsFieldAndCreatesNothing() {
        Draft draft = draft(false);
        signIn(ownerOf(draft.master(), PASSWORD), PASSWORD);
        waitFor(d -> d.getCurrentUrl().contains("/home"));
        open("/campaigns?lang=ja");
        new Select(browser.findElement(By.id("emailId"))).selectByValue(String.valueOf(draft.emailId()));
        browser.findElement(By.cssSelector("input.campaign-list[value='" + draft.listId() + "']")).click();
        click(By.id("when-later"));
        setSendAt("2020-01-01T09:00");
        new Select(browser.findElement(By.id("timeZone"))).selectByValue("Europe/Paris");
        submit(By.id("create-campaign"));

        assertThat(text(By.id("form-errors"))).contains("2");
        assertThat(text(By.id("emailId-error"))).contains("メールボックスプロバイダー").contains("DKIM, SPF, DMARC");
        assertThat(attribute(By.id("emailId"), "aria-invalid")).isEqualTo("true");
        assertThat(text(By.id("sendAt-error"))).isEqualTo("この日時はすでに過ぎています。");
        assertThat(attribute(By.id("sendAt"), "aria-describedby")).isEqualTo("sendAt-error");
        // What was typed is kept, for the person to correct it.
        assertThat(new Select(browser.findElement(By.id("timeZone"))).getFirstSelectedOption().getDomAttribute("value"))
                .isEqualTo("Europe/Paris");
        assertThat(browser.findElement(By.cssSelector("input.campaign-list[value='" + draft.listId() + "']")).isSelected())
                .isTrue();
        assertThat(campaignsOf(draft)).isZero();
        Chromium.screenshot(browser, "campaign-create-03-errors");
    }
}
