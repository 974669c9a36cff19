package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The keys page in real headless Chromium (D-17): a master creates a marketing key for one of its
 * sub-accounts, sees the secret once with a copy button, and a reload no longer shows it.
 */
class KeysBrowserIntegrationTests extends BrowserTestSupport {

    private static final String PASSWORD = "keys-browser-password";

    @Test
    @DisplayName("D-17: the master creates a MARKETING key for a sub-account on the keys page and sees its secret once")
    void d17_masterCreatesMarketingKeyForSubaccountAndSeesSecretOnce() {
        Master master = master("pro-5000");
        String subName = "Lyon newsletter " + System.nanoTime();
        String subId = createSubaccount(master.api(), subName, uniqueEmail("keys-sub"), null, 500).json()
                .get("subaccount").get("id").asString();

        signIn(ownerOf(master, PASSWORD), PASSWORD);
        waitFor(ExpectedConditions.urlContains("/home"));
        createKeyOnKeysPage(subId, "Campaigns", "MARKETING");

        waitFor(ExpectedConditions.presenceOfElementLocated(By.id("secret-notice")));
        String secret = browser.findElement(By.id("new-secret")).getDomProperty("value");
        assertThat(secret).startsWith("mt_sk_").hasSize(46);
        assertThat(browser.findElements(By.id("copy-secret"))).hasSize(1);
        WebElement row = browser.findElement(By.cssSelector("tr[data-key-name='Campaigns']"));
        assertThat(row.findElement(By.cssSelector(".key-label")).getText()).isEqualTo("Marketing");
        assertThat(row.findElement(By.cssSelector(".key-account")).getText()).isEqualTo(subName);
        assertThat(row.getDomAttribute("data-reputation")).isEqualTo("/keys/" + row.getDomAttribute("data-key")
                + "/reputation");
        String publicKey = row.findElement(By.cssSelector(".public-key")).getText();
        Chromium.screenshot(browser, "keys-01-created");

        // The secret shown is the key's: it authenticates as the sub-account.
        assertThat(Api.withKey(port, publicKey, secret).get("/api/v1/account").json().get("id").asString())
                .isEqualTo(subId);

        browser.navigate().refresh();
        waitFor(ExpectedConditions.presenceOfElementLocated(By.id("keys")));
        assertThat(browser.findElements(By.id("secret-notice"))).isEmpty();
        assertThat(browser.getPageSource()).doesNotContain(secret);
        assertThat(browser.findElements(By.cssSelector("tr[data-key-name='Campaigns']"))).hasSize(1);
        Chromium.screenshot(browser, "keys-02-after-reload");
    }
}
