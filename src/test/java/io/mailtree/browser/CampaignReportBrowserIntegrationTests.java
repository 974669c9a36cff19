package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.campaigns.Campaign;
import io.mailtree.campaigns.CampaignFanOut;
import io.mailtree.campaigns.Campaigns;
import io.mailtree.contacts.ContactLists;
import io.mailtree.contacts.Contacts;
import io.mailtree.content.EmailDraft;
import io.mailtree.content.Emails;
import io.mailtree.shared.AccountId;
import io.mailtree.support.Eventually;
import io.mailtree.support.WebSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A campaign's report page in real headless Chromium (ADR 0027): a campaign goes out to a list, its
 * recipients open it and click its links through the real tracking endpoints, and the report shows
 * the numbers and both charts filled in, in English, French and Japanese; the master then shares the
 * sent e-mail with a sub-account from this page (D-27) and lands back on it with the outcome.
 */
class CampaignReportBrowserIntegrationTests extends BrowserTestSupport {

    private static final String PASSWORD = "report-browser-password";
    private static final String PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

    @Autowired
    Campaigns campaigns;
    @Autowired
    CampaignFanOut fanOut;
    @Autowired
    Contacts contacts;
    @Autowired
    ContactLists lists;
    @Autowired
    Emails emails;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private int get(String path, String userAgent) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("User-Agent", userAgent)
                .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The body of the mail the relay received for an address (campaign mail names the contact in To, so match the address). */
    private static String mailTo(String address) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            for (var message : io.mailtree.support.TestInfrastructure.SMTP.getReceivedMessages()) {
                try {
                    for (var to : message.getAllRecipients()) {
                        if (((jakarta.mail.internet.InternetAddress) to).getAddress().equalsIgnoreCase(address)) {
                            return com.icegreen.greenmail.util.GreenMailUtil.getBody(message).replace("=\r\n", "")
                                    .replace("=\n", "").replace("=3D", "=");
                        }
                    }
                } catch (Exception unreadable) {
                    // another test's odd message
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no mail to " + address);
    }

    private static List<String> paths(String body, String kind) {
        Matcher matcher = Pattern.compile("/t/" + kind + "/[A-Za-z0-9_.\\-]+").matcher(body);
        List<String> found = new ArrayList<>();
        while (matcher.find()) {
            found.add(matcher.group());
        }
        return found;
    }

    private void showCharts() {
        ((JavascriptExecutor) browser).executeScript("document.getElementById('chart-engagement').scrollIntoView();");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> figures() {
        return (Map<String, Object>) ((JavascriptExecutor) browser).executeScript("""
                var f = {};
                document.querySelectorAll('#report-counts [data-count]').forEach(function (e) {
                    f[e.getAttribute('data-count')] = e.textContent.trim(); });
                f.opened = document.querySelectorAll('#chart-engagement rect[data-type="OPENED"]').length;
                f.clicked = document.querySelectorAll('#chart-engagement rect[data-type="CLICKED"]').length;
                f.machine = document.querySelectorAll('#chart-engagement rect[data-type="MACHINE_OPENED"]').length;
                f.deliveredBars = document.querySelectorAll('#chart-delivery rect[data-type="DELIVERED"]').length;
                f.links = document.querySelectorAll('#link-clicks tbody tr').length;
                return f;""");
    }

    @Test
    @DisplayName("D-27: the report page fills its numbers and charts from real opens and clicks, in en, fr and ja, and shares the sent e-mail from there")
    void d27ReportPageShowsChartsInEachLanguageAndSharesTheEmail() throws Exception {
        Master master = master("pro-5000");
        AccountId account = id(master.id());
        String subName = "Bordeaux " + UUID.randomUUID().toString().substring(0, 4);
        String subId = createSubaccount(master.api(), subName, uniqueEmail("bdx"), null, 500).json().get("subaccount")
                .get("id").asString();
        String domain = "r" + UUID.randomUUID().toString().substring(0, 8) + ".example.test";
        String from = "news@" + domain;
        verifiedDomain(master, domain);
        master.api().post("/api/v1/senders", "{\"email\":\"" + from + "\",\"name\":\"News\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(from, 1), "/senders/confirm"));
        long listId = lists.create(account, "Readers").id();
        List<String> readers = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String reader = uniqueEmail("rep" + i);
            readers.add(reader);
            ids.add(contacts.create(account, reader, "Reader " + i, null, Map.of()).id());
        }
        lists.addContactIds(account, listId, ids);
        long emailId = emails.create(account, new EmailDraft("Autumn", "REGULAR", "Autumn news, {{name}}", "News", from,
                null, null, "<p>Hello {{name}}</p><p><a href=\"https://shop.example.test/autumn\">Shop</a> "
                        + "<a href=\"https://blog.example.test/autumn\">Blog</a></p>", null, null, List.of(listId))).id();
        Campaign campaign = campaigns.create(account, new Campaigns.CampaignRequest(emailId, "Autumn", null, null, null));
        fanOut.runOnce();
        Eventually.afterConsumers(() -> assertThat(jdbc.sql("select count(*) from message where bulk_id = ? and status = 'DELIVERED'")
                .param(campaign.bulkId()).query(Integer.class).single()).isEqualTo(12));
        // Read an hour after delivery: these are people's opens, not a proxy's prefetch.
        jdbc.sql("update message set delivered_at = delivered_at - interval '1 hour' where bulk_id = ?")
                .param(campaign.bulkId()).update();
        for (int i = 0; i < 12; i++) {
            String body = mailTo(readers.get(i));
            List<String> pixel = paths(body, "o");
            List<String> clicks = paths(body, "c");
            assertThat(pixel).isNotEmpty();
            assertThat(clicks).hasSizeGreaterThanOrEqualTo(2);
            if (i < 8) {
                assertThat(get(pixel.get(0), PERSON)).isEqualTo(200);
            }
            if (i >= 8 && i < 10) {
                assertThat(get(pixel.get(0), "Mozilla/5.0")).isEqualTo(200); // Apple's privacy proxy
            }
            if (i < 5) {
                assertThat(get(clicks.get(0), PERSON)).isEqualTo(302);
            }
            if (i < 2) {
                assertThat(get(clicks.get(1), PERSON)).isEqualTo(302);
            }
        }

        signIn(ownerOf(master, PASSWORD), PASSWORD);
        waitFor(d -> d.getCurrentUrl().contains("/home"));
        new WebDriverWait(browser, Duration.ofSeconds(40)).pollingEvery(Duration.ofMillis(500)).until(d -> {
            open("/campaigns/" + campaign.id() + "/report?lang=en");
            Map<String, Object> f = figures();
            return "7".equals(f.get("clicksTotal")) && "8".equals(f.get("opensUnique"))
                    && "2".equals(f.get("machineOpensTotal"));
        });
        Map<String, Object> f = figures();
        assertThat(f.get("sent")).isEqualTo("12");
        assertThat(f.get("delivered")).isEqualTo("12");
        assertThat(f.get("clicksUnique")).isEqualTo("5");
        assertThat(((Number) f.get("opened")).intValue()).isPositive();
        assertThat(((Number) f.get("clicked")).intValue()).isPositive();
        assertThat(((Number) f.get("machine")).intValue()).isPositive();
        assertThat(((Number) f.get("deliveredBars")).intValue()).isPositive();
        assertThat(((Number) f.get("links")).intValue()).isEqualTo(2);
        assertThat(text(By.id("report-title"))).isEqualTo("Report: Autumn");
        Chromium.screenshot(browser, "campaign-report-01-en");
        // The hours are the reader's: the chart names the browser's zone (the cookie its script set).
        String zone = browser.manage().getCookieNamed("mt_tz") == null ? "UTC"
                : java.net.URLDecoder.decode(browser.manage().getCookieNamed("mt_tz").getValue(),
                        java.nio.charset.StandardCharsets.UTF_8);
        assertThat(text(By.cssSelector("#chart-engagement strong"))).isEqualTo("What recipients did, by hour (" + zone + ")");
        showCharts();
        Chromium.screenshot(browser, "campaign-report-01-en-charts");

        for (Map.Entry<String, String> language : Map.of("fr", "Rapport : Autumn", "ja", "レポート：Autumn").entrySet()) {
            open("/campaigns/" + campaign.id() + "/report?lang=" + language.getKey());
            assertThat(text(By.id("report-title"))).isEqualTo(language.getValue());
            assertThat(figures().get("clicksTotal")).isEqualTo("7");
            assertThat(text(By.cssSelector("#chart-engagement figcaption")))
                    .contains(language.getKey().equals("fr") ? "Ouvertures" : "開封");
            showCharts();
            Chromium.screenshot(browser, "campaign-report-0" + (language.getKey().equals("fr") ? "2-fr" : "3-ja"));
        }

        // D-27: the sent e-mail is shared from its report and the page comes back with the outcome.
        open("/campaigns/" + campaign.id() + "/report?lang=en");
        click(By.cssSelector("#share-form input[data-subaccount='" + subName + "']"));
        submit(By.id("share-submit"));
        assertThat(browser.getCurrentUrl()).contains("/campaigns/" + campaign.id() + "/report");
        assertThat(browser.findElement(By.cssSelector("#share-results tr[data-subaccount='" + subName + "']"))
                .getDomAttribute("data-status")).isEqualTo("shared");
        assertThat(jdbc.sql("select count(*) from email where account_id = ?")
                .param(UUID.fromString(subId)).query(Integer.class).single()).isEqualTo(1);
        Chromium.screenshot(browser, "campaign-report-04-shared");
    }
}
