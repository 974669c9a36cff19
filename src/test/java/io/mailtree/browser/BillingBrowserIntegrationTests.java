package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The billing page in real headless Chromium: the owner sees the subscription, the credits and a bar
 * per account, caps a sub-account and changes the plan; a collaborator without BILLING sees no link
 * to the page and is refused it by URL (D-23, D-31).
 */
class BillingBrowserIntegrationTests extends BrowserTestSupport {

    private static final String OWNER_PASSWORD = "billing-owner-password";
    private static final String PASSWORD = "billing-collaborator-password";

    @Test
    @DisplayName("D-31, D-23: the owner caps a sub-account and upgrades on the billing page; a collaborator without BILLING neither sees nor reaches it")
    void d31BillingPageForTheOwnerHiddenFromACollaboratorWithoutBilling() throws Exception {
        Master master = master("volume-15k");
        String owner = ownerOf(master, OWNER_PASSWORD);
        String subId = createSubaccount(master.api(), "Lyon team", uniqueEmail("lyon"), null, null).json()
                .get("subaccount").get("id").asString();

        signIn(owner, OWNER_PASSWORD);
        waitFor(ExpectedConditions.urlContains("/home"));
        submit(By.id("nav-billing"));
        assertThat(text(By.id("billing-plan"))).isEqualTo("Volume 15k");
        assertThat(text(By.id("credits-line"))).contains("15,000");
        assertThat(attribute(By.id("usage-chart"), "data-bars")).isEqualTo("2");
        Chromium.screenshot(browser, "billing-page");

        type("cap-" + subId, "abc");
        submit(By.cssSelector("tr[data-account='" + subId + "'] .cap-form button"));
        assertThat(text(By.cssSelector(".problem[role=alert]"))).contains("1,000,000,000");
        type("cap-" + subId, "2500");
        submit(By.cssSelector("tr[data-account='" + subId + "'] .cap-form button"));
        assertThat(text(By.cssSelector(".notice"))).contains("Lyon team");
        assertThat(attribute(By.id("cap-" + subId), "value")).isEqualTo("2500");

        new Select(browser.findElement(By.id("plan"))).selectByValue("volume-50k");
        submit(By.id("change-plan"));
        assertThat(text(By.id("billing-plan"))).isEqualTo("Volume 50k");
        assertThat(text(By.id("credits-line"))).contains("50,000");

        open("/account/billing?lang=fr");
        assertThat(text(By.id("billing-title"))).isEqualTo("Facturation du compte");
        open("/account/billing?lang=ja");
        assertThat(browser.findElement(By.id("usage")).getText()).contains("月間上限");
        open("/account/billing?lang=en");

        // A collaborator of the master with every right but billing.
        String collaborator = uniqueEmail("bookkeeper-not");
        open("/members");
        type("invite-email", collaborator);
        new Select(browser.findElement(By.id("invite-account"))).selectByValue(master.id());
        for (String right : List.of("CONTACTS", "STATISTICS")) {
            click(By.id("invite-" + right));
        }
        submit(By.id("invite-submit"));
        assertThat(text(By.cssSelector(".notice"))).contains(collaborator);
        browser.manage().deleteAllCookies();

        open(linkIn(awaitMailTo(collaborator, 1), "/invitations/accept"));
        type("name", "Noel No-billing");
        type("password", PASSWORD);
        click(By.id("accept"));
        assertThat(text(By.id("invitation-accepted"))).isNotBlank();
        signIn(collaborator, PASSWORD);
        waitFor(ExpectedConditions.urlContains("/home"));
        assertThat(browser.findElements(By.id("nav-billing"))).as("billing in the navigation").isEmpty();
        assertThat(browser.findElements(By.id("nav-contacts"))).isNotEmpty();
        open("/account/billing");
        assertThat(browser.getPageSource()).contains("403");
        assertThat(browser.findElements(By.id("usage-chart"))).isEmpty();
    }
}
