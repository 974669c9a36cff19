package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.HashingAlgorithm;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * Shared access and two-factor sign-in in real headless Chromium, as the people do it: the owner
 * invites from the members page, the invited person follows the e-mailed link (taken from the real
 * SMTP server the application sends through), and the owner's revocation throws them out.
 */
class CollaboratorBrowserIntegrationTests extends BrowserTestSupport {

    private static final String OWNER_PASSWORD = "browser-owner-password";
    private static final String PASSWORD = "browser-collaborator-password";

    @Test
    @DisplayName("D-21, D-22, D-23, D-24: invite to a sub-account without billing and configuration; the pages are absent and refused; a revocation signs out on the next click")
    void d24CollaboratorInvitedNarrowedAndRevoked() throws Exception {
        Master master = master("pro-5000");
        String owner = ownerOf(master, OWNER_PASSWORD);
        String subId = createSubaccount(master.api(), "Client shop", uniqueEmail("client-owner"), null, 500).json()
                .get("subaccount").get("id").asString();
        String collaborator = uniqueEmail("client");

        signIn(owner, OWNER_PASSWORD);
        click(By.id("nav-members"));
        type("invite-email", collaborator);
        new Select(browser.findElement(By.id("invite-account"))).selectByValue(subId);
        for (String right : List.of("CONTACTS", "CONTENT", "CAMPAIGNS", "STATISTICS")) {
            click(By.id("invite-" + right));
        }
        click(By.id("invite-submit"));
        assertThat(text(By.cssSelector(".notice"))).contains(collaborator);
        browser.manage().deleteAllCookies();

        open(linkIn(awaitMailTo(collaborator, 1), "/invitations/accept"));
        type("name", "Claire Client");
        type("password", PASSWORD);
        click(By.id("accept"));
        assertThat(text(By.id("invitation-accepted"))).isNotBlank();
        signIn(collaborator, PASSWORD);
        // The click returns before the sign-in's redirect has landed: wait for it, then read where it led.
        waitFor(ExpectedConditions.urlContains("/home"));
        assertThat(browser.getCurrentUrl()).endsWith("/home");
        assertThat(text(By.id("current-account"))).isEqualTo("Client shop");
        assertThat(browser.findElements(By.id("nav-billing"))).as("billing in the navigation").isEmpty();
        assertThat(browser.findElements(By.id("nav-configuration"))).as("configuration in the navigation").isEmpty();
        assertThat(browser.findElements(By.id("nav-contacts"))).isNotEmpty();
        Chromium.screenshot(browser, "collaborator-home");

        open("/account/billing");
        assertThat(browser.getPageSource()).contains("403");
        open("/account/configuration");
        assertThat(browser.getPageSource()).contains("403");
        open("/home");

        // The owner withdraws the access, from the members page of the sub-account, in another browser.
        var ownerBrowser = browser;
        try {
            browser = Chromium.start();
            signIn(owner, OWNER_PASSWORD);
            open("/members?account=" + subId);
            WebElement row = browser.findElement(By.cssSelector("tr[data-member='" + collaborator + "']"));
            row.findElement(By.className("revoke")).click();
            waitFor(ExpectedConditions.alertIsPresent());
            browser.switchTo().alert().accept();
            waitFor(d -> d.findElements(By.cssSelector("tr[data-member='" + collaborator + "']")).isEmpty());
        } finally {
            browser.quit();
            browser = ownerBrowser;
        }

        submit(By.id("nav-contacts"));
        assertThat(browser.getCurrentUrl()).contains("/login?error=revoked");
        assertThat(text(By.id("login-error"))).contains("withdrawn");
        Chromium.screenshot(browser, "collaborator-revoked");
    }

    @Test
    @DisplayName("Two-factor sign-in: enrol from the profile page with the QR code's secret, then sign in with a code")
    void enrolAndSignInWithACode() throws Exception {
        Master master = master("pro-5000");
        String owner = ownerOf(master, OWNER_PASSWORD);
        signIn(owner, OWNER_PASSWORD);
        click(By.id("nav-two-factor"));
        click(By.id("two-factor-start"));
        String qr = attribute(By.id("two-factor-qr"), "src");
        assertThat(qr).startsWith("data:image/png;base64,");
        Boolean drawn = (Boolean) browser.executeScript(
                "var i = document.getElementById('two-factor-qr'); return i.complete && i.naturalWidth > 0;");
        assertThat(drawn).as("the QR image is drawn").isTrue();
        String secret = text(By.id("two-factor-secret"));
        type("code", code(secret));
        submit(By.id("two-factor-confirm"));
        assertThat(browser.findElements(By.cssSelector("#recovery-codes li"))).hasSize(10);
        Chromium.screenshot(browser, "two-factor-recovery-codes");
        submit(By.id("recovery-done"));
        browser.manage().deleteAllCookies();

        clock().advance(Duration.ofSeconds(30));
        signIn(owner, OWNER_PASSWORD);
        assertThat(browser.getCurrentUrl()).endsWith("/login/code");
        type("code", code(secret));
        submit(By.id("code-submit"));
        assertThat(browser.getCurrentUrl()).endsWith("/home");
        click(By.id("nav-two-factor"));
        assertThat(text(By.id("two-factor-on"))).contains("10");
    }

    private String code(String secret) throws Exception {
        return new DefaultCodeGenerator(HashingAlgorithm.SHA1, 6).generate(secret, clock().instant().getEpochSecond() / 30);
    }
}
