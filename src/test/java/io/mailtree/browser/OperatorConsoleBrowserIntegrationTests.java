package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator's first minute in real headless Chromium: signing in lands on the console (not on a
 * 403 page), plans read by name with their limits, each master shows its owner, status and usage,
 * and a search that finds nothing says so.
 */
class OperatorConsoleBrowserIntegrationTests extends BrowserTestSupport {

    @Test
    @DisplayName("The operator lands on the console after sign-in and sees plans, masters and an empty search")
    void operatorLandsOnConsoleWithPlansMastersAndEmptyStates() {
        Master master = master("pro-5000");
        String owner = ownerOf(master, "operator-view-password");
        setOwnActiveContacts(master.id(), 120);
        String masterName = "Operator view " + System.nanoTime();
        jdbc.sql("update account set name = ?, name_key = lower(?) where id = ?")
                .params(masterName, masterName, java.util.UUID.fromString(master.id()))
                .update();

        signIn("operator@mailtree.test", "operator-password-123");
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("/platform"));
        assertThat(browser.getTitle()).startsWith("Operator console");
        // Not the error page ("403 · Something went wrong" was where the operator used to land): the console's
        // own heading, and no error message. (Searching the source for "403" would match an id or a count.)
        assertThat(browser.findElement(By.cssSelector("main h1")).getText()).isEqualTo("Operator console");
        assertThat(browser.findElements(By.id("error-message"))).isEmpty();

        WebElement pro = browser.findElement(By.cssSelector("#plans tr[data-plan='pro-5000']"));
        assertThat(pro.findElement(By.cssSelector(".plan-name")).getText()).isEqualTo("Pro 5,000");
        assertThat(pro.findElement(By.cssSelector(".plan-contacts")).getText()).isEqualTo("5,000");
        WebElement volume = browser.findElement(By.cssSelector("#plans tr[data-plan='volume-free']"));
        assertThat(volume.findElement(By.cssSelector(".plan-monthly")).getText()).isEqualTo("6,000");

        type("master-search", masterName);
        click(By.id("master-search-submit"));
        WebElement row = new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions
                .presenceOfElementLocated(By.cssSelector("#masters tr[data-master='" + masterName + "']")));
        assertThat(row.findElement(By.cssSelector(".master-owner")).getText()).isEqualTo(owner);
        assertThat(row.findElement(By.cssSelector(".master-status")).getText()).startsWith("Active");
        assertThat(row.findElement(By.cssSelector(".master-usage")).getText()).isEqualTo("120 of 5,000");
        assertThat(row.findElement(By.cssSelector("select[name=plan] option:checked")).getText()).isEqualTo("Pro 5,000");
        Chromium.screenshot(browser, "operator-01-console");

        type("master-search", "no master is called this " + System.nanoTime());
        click(By.id("master-search-submit"));
        assertThat(text(By.id("masters-empty"))).startsWith("No master account matches");
        assertThat(browser.findElements(By.id("masters"))).isEmpty();
        Chromium.screenshot(browser, "operator-02-empty-search");

        open("/platform?lang=fr");
        assertThat(text(By.cssSelector("#plans tr[data-plan='volume-free'] td:nth-child(2)"))).isEqualTo("Aux e-mails par mois");
        open("/platform?lang=ja");
        assertThat(text(By.cssSelector("#plans thead th:nth-child(4)"))).isEqualTo("月間メール数");
        open("/platform?lang=en");
    }
}
