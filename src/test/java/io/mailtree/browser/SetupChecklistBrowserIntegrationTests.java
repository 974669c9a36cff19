package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.TestDnsServer;
import io.mailtree.support.TestInfrastructure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The home page's setup checklist in real headless Chromium, from sign-up to the first sent message:
 * each step is done on its own page, as a new customer does it, and the checklist ticks it from the
 * account's real state. The domain's records are published on the test's own DNS server, which the
 * "Check now" button asks.
 */
class SetupChecklistBrowserIntegrationTests extends BrowserTestSupport {

    private static final TestDnsServer DNS = TestInfrastructure.DNS;
    private static final String PASSWORD = "checklist-password-1";

    @org.springframework.beans.factory.annotation.Autowired
    io.mailtree.delivery.BounceDomain bounce;

    private Path csv;

    @AfterEach
    void deleteCsv() throws Exception {
        if (csv != null) {
            Files.deleteIfExists(csv);
        }
    }

    /** The checklist's steps as the page shows them, read in one script: id → ticked. */
    @SuppressWarnings("unchecked")
    private Map<String, Boolean> steps() {
        waitFor(ExpectedConditions.presenceOfElementLocated(By.id("setup-checklist")));
        return (Map<String, Boolean>) browser.executeScript("""
                var steps = {};
                document.querySelectorAll('#setup-checklist li.step').forEach(function (li) {
                  steps[li.id.substring('step-'.length)] = li.getAttribute('data-done') === 'true';
                });
                return steps;""");
    }

    private void home() {
        open("/home");
        waitFor(ExpectedConditions.presenceOfElementLocated(By.id("home-title")));
    }

    private void assertTicked(String... done) {
        List<String> ticked = List.of(done);
        Map<String, Boolean> steps = steps();
        assertThat(steps.keySet()).containsExactlyInAnyOrder("confirm", "sender", "domain", "key", "contacts", "send");
        steps.forEach((step, isDone) -> assertThat(isDone).as(step).isEqualTo(ticked.contains(step)));
        assertThat(text(By.id("checklist-progress"))).isEqualTo(ticked.size() + " of 6 done");
    }

    @Test
    @DisplayName("A new account's checklist ticks each step from real state, through to its first sent message, and can be dismissed")
    void checklistTicksThroughToFirstSend() throws Exception {
        String owner = uniqueEmail("checklist");
        String domain = "c" + UUID.randomUUID().toString().substring(0, 8) + ".shop.example";
        open("/signup");
        type("name", "Checklist Shop");
        type("email", owner);
        type("password", PASSWORD);
        click(By.id("sign-up"));
        waitFor(ExpectedConditions.urlContains("/check-email"));

        // Confirm the account from the e-mailed link.
        open(linkIn(awaitMailTo(owner, 1), "/verify"));
        submit(By.id("verify-submit"));
        signIn(owner, PASSWORD);
        waitFor(ExpectedConditions.urlContains("/home"));
        assertTicked("confirm");
        assertThat(browser.findElement(By.cssSelector("#step-sender a.step-link")).getDomAttribute("href"))
                .isEqualTo("/senders");
        Chromium.screenshot(browser, "checklist-01-new-account");

        // A sender: added on the senders page, ticked only once its link is followed.
        click(By.cssSelector("#step-sender a.step-link"));
        String sender = "news@" + domain;
        type("email", sender);
        type("name", "News");
        submit(By.id("add-sender-submit"));
        home();
        assertTicked("confirm");
        open(linkIn(awaitMailTo(sender, 1), "/senders/confirm"));
        click(By.id("sender-confirm-submit"));
        waitFor(ExpectedConditions.presenceOfElementLocated(By.id("sender-confirmed")));
        home();
        assertTicked("confirm", "sender");

        // The domain: added, its records published at the DNS host, then "Check now".
        click(By.cssSelector("#step-domain a.step-link"));
        type("domain", domain);
        click(By.id("add-domain-submit"));
        By card = By.cssSelector("section.domain[data-domain='" + domain + "']");
        waitFor(ExpectedConditions.presenceOfElementLocated(card));
        String domainId = browser.findElement(card).getDomAttribute("id").substring("domain-".length());
        @SuppressWarnings("unchecked")
        List<List<String>> records = (List<List<String>>) browser.executeScript("""
                return Array.from(arguments[0].querySelectorAll('tr.dns-record')).map(function (tr) {
                  return [tr.getAttribute('data-purpose'), tr.querySelector('.dns-name input').value,
                          tr.querySelector('.dns-value textarea').value];
                });""", browser.findElement(card));
        assertThat(records).extracting(r -> r.get(0)).containsExactly("DKIM", "SPF", "DMARC");
        records.forEach(r -> DNS.txt(r.get(1), r.get(2)));
        DNS.remove(bounceDomain());
        DNS.mx(bounceDomain(), 10, "mx." + bounceDomain());
        click(By.cssSelector("#dns-check-" + domainId + " button.check-dns"));
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> browser.executeScript("""
                var results = document.querySelectorAll('#dns-check-' + arguments[0] + ' li.dns-check-result');
                return results.length === 4 && Array.from(results).every(function (li) {
                  return li.getAttribute('data-status') === 'VERIFIED'; });""", domainId));
        Chromium.screenshot(browser, "checklist-02-domain-verified");
        home();
        assertTicked("confirm", "sender", "domain");

        // A key whose secret is shown once on the keys page (the one made at sign-up never was).
        String accountId = jdbc.sql("select account_id from app_user where email = ?").param(owner)
                .query(UUID.class).single().toString();
        click(By.cssSelector("#step-key a.step-link"));
        waitFor(ExpectedConditions.presenceOfElementLocated(By.id("new-key")));
        createKeyOnKeysPage(accountId, "Shop", "TRANSACTIONAL");
        waitFor(ExpectedConditions.presenceOfElementLocated(By.id("secret-notice")));
        String secret = browser.findElement(By.id("new-secret")).getDomProperty("value");
        String publicKey = browser.findElement(By.cssSelector("tr[data-key-name='Shop'] .public-key")).getText();
        home();
        assertTicked("confirm", "sender", "domain", "key");

        // Contacts, through the import wizard.
        csv = Files.createTempFile("mailtree-checklist-", ".csv");
        Files.writeString(csv, "Email,Name\r\nann@customer.example,Ann\r\nbob@customer.example,Bob\r\n",
                StandardCharsets.UTF_8);
        click(By.cssSelector("#step-contacts a.step-link"));
        chooseFile(By.id("file"), csv);
        type("newListName", "Customers");
        click(By.id("upload-submit"));
        waitFor(ExpectedConditions.presenceOfElementLocated(By.id("start-import")));
        click(By.id("start-import"));
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(d -> {
            Object status = browser.executeScript(
                    "var p = document.getElementById('import-progress'); return p ? p.getAttribute('data-status') : null;");
            return status != null && !"QUEUED".equals(status) && !"RUNNING".equals(status);
        });
        home();
        assertTicked("confirm", "sender", "domain", "key", "contacts");
        assertThat(browser.findElements(By.id("checklist-complete"))).isEmpty();

        // The first message, sent with the key as an application does; ticked once the relay took it.
        Api api = Api.withKey(port, publicKey, secret);
        Api.Response response = api.post("/api/v1/send", "{\"messages\":[{\"from\":{\"email\":\"" + sender
                + "\"},\"to\":[{\"email\":\"ann@customer.example\"}],\"subject\":\"Welcome\",\"text\":\"Hello\"}]}");
        JsonNode sent = response.json();
        assertThat(sent.path("results").path(0).path("status").asString()).as(response.toString()).isEqualTo("accepted");
        String messageId = sent.get("results").get(0).get("id").asString();
        new WebDriverWait(browser, Duration.ofSeconds(20)).pollingEvery(Duration.ofMillis(200)).until(d ->
                "DELIVERED".equals(api.get("/api/v1/messages/" + messageId).json().get("message").get("status").asString()));
        home();
        assertTicked("confirm", "sender", "domain", "key", "contacts", "send");
        assertThat(text(By.id("checklist-complete"))).contains("Everything is set up");
        Chromium.screenshot(browser, "checklist-03-complete");

        // Taking a record down unticks the domain again at the next check: the list reads real state.
        records.stream().filter(r -> r.get(0).equals("SPF")).forEach(r -> DNS.remove(r.get(1)));
        open("/senders");
        click(By.cssSelector("#dns-check-" + domainId + " button.check-dns"));
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> "MISSING".equals(browser.executeScript(
                "var li = document.querySelector('#dns-check-' + arguments[0] + \" li[data-purpose='SPF']\");"
                        + " return li ? li.getAttribute('data-status') : null;", domainId)));
        home();
        assertThat(steps()).containsEntry("domain", false).containsEntry("send", true);

        // Dismissed, it stays gone.
        // The page is /home before and after: wait for the page itself to be replaced, not for the address.
        submit(By.id("dismiss-checklist"));
        assertThat(browser.findElements(By.id("setup-checklist"))).isEmpty();
        home();
        assertThat(browser.findElements(By.id("setup-checklist"))).isEmpty();
    }

    private String bounceDomain() {
        return bounce.name();
    }
}
