package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The main flow of the foundation in real headless Chromium: sign up, verify, get upgraded by the
 * operator, create a sub-account, open it in one click, come back, deactivate it, and see its own
 * login refused with the deactivation message.
 */
class SubaccountsBrowserIntegrationTests extends BrowserTestSupport {


    @Test
    @DisplayName("D-1, D-8, D-12, D-14: sign up, verify, create a sub-account, switch in and back, deactivate")
    void masterCreatesOpensAndDeactivatesASubaccount() {
        String masterEmail = uniqueEmail("browser-master");
        String subEmail = uniqueEmail("browser-sub");

        open("/signup");
        type("name", "Browser Agency");
        type("email", masterEmail);
        type("password", "browser-master-password");
        click(By.id("sign-up"));
        assertThat(text(By.id("check-email-text"))).contains(masterEmail);
        Chromium.screenshot(browser, "01-check-email");

        open(linkIn(awaitMailTo(masterEmail, 1), "/verify"));
        submit(By.id("verify-submit"));
        assertThat(browser.getCurrentUrl()).contains("/login?verified");
        signOutIfSignedIn();

        // The operator upgrades the new master to an eligible plan in the console.
        signIn("operator@mailtree.test", "operator-password-123");
        open("/platform?q=Browser Agency");
        WebElement row = browser.findElement(By.cssSelector("tr[data-master='Browser Agency']"));
        new Select(row.findElement(By.name("plan"))).selectByValue("lite-1000");
        row.findElement(By.tagName("button")).click();
        assertThat(text(By.cssSelector(".notice"))).contains("Browser Agency");
        signOutIfSignedIn();

        signIn(masterEmail, "browser-master-password");
        assertThat(text(By.id("allowance-available"))).isEqualTo("1,000");
        click(By.id("nav-subaccounts"));
        click(By.id("new-subaccount"));
        assertThat(text(By.id("available"))).contains("1,000");
        type("name", "Lyon shop");
        type("ownerEmail", subEmail);
        type("password", "browser-sub-password");
        new Select(browser.findElement(By.id("contactAllocation"))).selectByValue("500");
        click(By.id("save-subaccount"));
        assertThat(text(By.id("created-notice"))).contains("Lyon shop").contains("mt_sk_");
        assertThat(text(By.id("available"))).isEqualTo("500");
        Chromium.screenshot(browser, "02-subaccounts");

        // D-14: one click on the name opens the sub-account; "Back to main" returns.
        click(By.cssSelector("tr[data-subaccount='Lyon shop'] .open-subaccount"));
        assertThat(text(By.id("home-title"))).isEqualTo("Lyon shop");
        assertThat(text(By.id("current-account"))).isEqualTo("Lyon shop");
        assertThat(browser.findElements(By.id("back-to-main"))).hasSize(1);
        Chromium.screenshot(browser, "03-in-subaccount");
        submit(By.id("back-to-main"));
        assertThat(browser.getCurrentUrl()).endsWith("/home");
        assertThat(text(By.id("home-title"))).isEqualTo("Browser Agency");
        assertThat(browser.findElements(By.id("back-to-main"))).isEmpty();

        // Deactivate from the row's options menu (with its confirmation), then try the sub's own login.
        click(By.id("nav-subaccounts"));
        WebElement subRow = browser.findElement(By.cssSelector("tr[data-subaccount='Lyon shop']"));
        subRow.findElement(By.tagName("summary")).click();
        subRow.findElement(By.cssSelector("button.deactivate")).click();
        new WebDriverWait(browser, java.time.Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent()).accept();
        assertThat(text(By.cssSelector(".notice"))).contains("Lyon shop");
        assertThat(text(By.cssSelector("tr[data-subaccount='Lyon shop'] .status-INACTIVE"))).isEqualTo("Inactive");
        signOutIfSignedIn();

        signIn(subEmail, "browser-sub-password");
        assertThat(text(By.id("login-error"))).contains("This account is deactivated");
        Chromium.screenshot(browser, "04-deactivated-login");
    }

    @Test
    @DisplayName("Every screen switches to French and Japanese")
    void screensSwitchLanguage() {
        open("/login?lang=fr");
        assertThat(text(By.cssSelector("h1"))).isEqualTo("Connexion");
        open("/login?lang=ja");
        assertThat(browser.findElement(By.cssSelector("h1")).getText()).isEqualTo("ログイン");
        Chromium.screenshot(browser, "05-login-ja");
        open("/signup");
        assertThat(browser.findElement(By.id("sign-up")).getText()).isNotEqualTo("Create account");
        open("/login?lang=en");
        assertThat(text(By.cssSelector("h1"))).isEqualTo("Sign in");
    }

    private void signOutIfSignedIn() {
        browser.manage().deleteAllCookies();
    }
}
