package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.campaigns.Campaign;
import io.mailtree.campaigns.Campaigns;
import io.mailtree.contacts.ContactLists;
import io.mailtree.contacts.Contacts;
import io.mailtree.content.EmailDraft;
import io.mailtree.content.Emails;
import io.mailtree.shared.AccountId;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The campaigns page's test send (ADR 0031) in real headless Chromium: the marketer opens "Send a
 * test" on a scheduled campaign, types an address, sends, reads the notice, and the relay receives
 * the mail marked [Test]; a bad address comes back as the readable refusal, in French.
 */
class CampaignTestSendBrowserIntegrationTests extends BrowserTestSupport {

    private static final String PASSWORD = "test-send-browser-password";

    @Autowired
    Campaigns campaigns;
    @Autowired
    Contacts contacts;
    @Autowired
    ContactLists lists;
    @Autowired
    Emails emails;

    private static MimeMessage received(String address) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            for (MimeMessage m : TestInfrastructure.SMTP.getReceivedMessages()) {
                try {
                    if (Arrays.stream(m.getAllRecipients()).anyMatch(a -> ((InternetAddress) a).getAddress().equalsIgnoreCase(address))) {
                        return m;
                    }
                } catch (Exception unreadable) {
                    // another test's odd message
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no mail to " + address);
    }

    @Test
    @DisplayName("Send a test on the campaigns page: the typed address receives the e-mail marked [Test]; a bad address is refused readably")
    void testSendFromTheCampaignsPage() throws Exception {
        Master master = master("pro-1000");
        AccountId account = id(master.id());
        String domain = "s" + UUID.randomUUID().toString().substring(0, 8) + ".example.test";
        String from = "news@" + domain;
        verifiedDomain(master, domain);
        master.api().post("/api/v1/senders", "{\"email\":\"" + from + "\",\"name\":\"News\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(from, 1), "/senders/confirm"));
        long listId = lists.create(account, "Readers").id();
        lists.addContactIds(account, listId, List.of(contacts.create(account, uniqueEmail("reader"), "Reader", null,
                Map.of()).id()));
        long emailId = emails.create(account, new EmailDraft("Winter", "REGULAR", "Winter news", "News", from, null, null,
                "<p>Hello</p>", null, null, List.of(listId))).id();
        Campaign campaign = campaigns.create(account, new Campaigns.CampaignRequest(emailId, "Winter", null,
                "2099-01-01T09:00", "UTC"));

        signIn(ownerOf(master, PASSWORD), PASSWORD);
        waitFor(d -> d.getCurrentUrl().contains("/home"));
        open("/campaigns?lang=en");
        String row = "tr[data-campaign='" + campaign.id() + "'] ";
        click(By.cssSelector(row + ".campaign-test summary"));
        String tester = uniqueEmail("tester");
        browser.findElement(By.cssSelector(row + ".campaign-test-addresses")).sendKeys(tester);
        submit(By.cssSelector(row + ".campaign-test-send"));
        assertThat(text(By.cssSelector(".notice"))).contains("Test sent to " + tester);
        Chromium.screenshot(browser, "campaign-test-send-01-en");
        assertThat(received(tester).getSubject()).isEqualTo("[Test] Winter news");

        open("/campaigns?lang=fr");
        click(By.cssSelector(row + ".campaign-test summary"));
        browser.findElement(By.cssSelector(row + ".campaign-test-addresses")).sendKeys("pas-une-adresse");
        submit(By.cssSelector(row + ".campaign-test-send"));
        assertThat(text(By.cssSelector("[role='alert']"))).contains("Ce n’est pas une adresse e-mail : pas-une-adresse");
        Chromium.screenshot(browser, "campaign-test-send-02-fr-refused");
    }
}
