package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The header's sub-account switcher in real headless Chromium (D-14 from any page): a master opens
 * the menu on a page other than the sub-accounts list, finds a sub-account by name, opens it in one
 * click and comes back; an inactive sub-account is not offered; the menu speaks the page's language.
 */
class AccountSwitcherBrowserIntegrationTests extends BrowserTestSupport {

    private static final String PASSWORD = "switcher-owner-password";

    @Test
    @DisplayName("D-14: from the contacts page, the header's switcher finds a sub-account by name and opens it; back to main returns")
    void d14HeaderSwitcherOpensASubaccountFromAnyPage() {
        Master master = master("pro-5000");
        String owner = ownerOf(master, PASSWORD);
        for (String name : List.of("Alpha shop", "Beta shop", "Gamma shop", "Closed shop")) {
            createSubaccount(master.api(), name, uniqueEmail("switcher-sub"), null, 500);
        }
        String closed = master.api().get("/api/v1/subaccounts?q=Closed").json().get("items").get(0).get("id").asString();
        master.api().post("/api/v1/subaccounts/" + closed + "/deactivate", "{}");

        signIn(owner, PASSWORD);
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(ExpectedConditions.urlContains("/home"));
        String masterName = text(By.id("current-account"));
        open("/contacts");
        click(By.cssSelector("#subaccount-switcher > summary"));
        waitFor(d -> names().size() == 3);
        assertThat(names()).containsExactly("Alpha shop", "Beta shop", "Gamma shop");

        type("switcher-search", "bet");
        waitFor(d -> names().equals(List.of("Beta shop")));
        Chromium.screenshot(browser, "switcher-search");
        click(By.cssSelector("#switcher-items .open-subaccount"));
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(ExpectedConditions.urlContains("/home"));
        assertThat(text(By.id("current-account"))).isEqualTo("Beta shop");
        assertThat(browser.findElements(By.id("back-to-main"))).isNotEmpty();
        // Inside a sub-account there is no sub-account to switch to: the menu is gone.
        assertThat(browser.findElements(By.id("subaccount-switcher"))).isEmpty();

        click(By.id("back-to-main"));
        assertThat(text(By.id("current-account"))).isEqualTo(masterName);

        open("/contacts?lang=fr");
        assertThat(text(By.cssSelector("#subaccount-switcher > summary"))).isEqualTo("Ouvrir un sous-compte");
        click(By.cssSelector("#subaccount-switcher > summary"));
        type("switcher-search", "zzz");
        waitFor(d -> !d.findElements(By.id("switcher-none")).isEmpty());
        assertThat(text(By.id("switcher-none"))).contains("« zzz »");
        open("/contacts?lang=ja");
        assertThat(text(By.cssSelector("#subaccount-switcher > summary"))).isEqualTo("サブアカウントを開く");
    }

    /** The sub-accounts the open menu offers, read in one script: htmx replaces the list as the search changes. */
    @SuppressWarnings("unchecked")
    private List<String> names() {
        return (List<String>) browser.executeScript("return Array.from(document.querySelectorAll("
                + "'#switcher-items .open-subaccount')).map(b => b.textContent.trim());");
    }
}
