package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The sub-accounts list in real headless Chromium: sort by a column header, search by name, tick
 * two rows and deactivate them in bulk after the confirmation, then read each one's result.
 */
class SubaccountsListBrowserIntegrationTests extends BrowserTestSupport {

    @Test
    @DisplayName("D-10, D-32: sort by contacts, search, bulk deactivate two sub-accounts with a confirmation and a result each")
    void d10d32SortSearchAndBulkDeactivate() {
        Master master = master("pro-10000");
        Map<String, Integer> contacts = Map.of("Amber shop", 300, "Basil shop", 20, "Cedar shop", 150);
        contacts.forEach((name, used) -> {
            String id = createSubaccount(master.api(), name, uniqueEmail("list"), null, 500).json().get("subaccount")
                    .get("id").asString();
            setOwnActiveContacts(id, used);
        });
        String password = "list-owner-password";
        signIn(ownerOf(master, password), password);
        open("/subaccounts?lang=en");
        assertThat(rows()).containsExactly("Amber shop", "Basil shop", "Cedar shop");

        click(By.cssSelector("a.sort[data-sort='contacts']"));
        assertThat(rows()).containsExactly("Basil shop", "Cedar shop", "Amber shop");
        click(By.cssSelector("a.sort[data-sort='contacts']"));
        assertThat(rows()).as("a second click reverses").containsExactly("Amber shop", "Cedar shop", "Basil shop");
        assertThat(browser.findElement(By.cssSelector("a.sort[data-sort='contacts']")).findElement(By.xpath(".."))
                .getDomAttribute("aria-sort")).isEqualTo("descending");

        type("subaccounts-q", "asil");
        click(By.id("subaccounts-search-submit"));
        assertThat(rows()).containsExactly("Basil shop");
        open("/subaccounts?lang=en");

        for (String name : List.of("Amber shop", "Cedar shop")) {
            browser.findElement(By.cssSelector("tr[data-subaccount='" + name + "'] input.bulk-choice")).click();
        }
        new Select(browser.findElement(By.id("bulk-action"))).selectByValue("deactivate");
        click(By.id("bulk-submit"));
        var alert = new WebDriverWait(browser, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent());
        assertThat(alert.getText()).contains("every ticked sub-account");
        alert.accept();
        waitFor(d -> !d.findElements(By.id("bulk-results")).isEmpty());
        Chromium.screenshot(browser, "subaccounts-bulk");

        // Each result and each row's status, read in one script.
        @SuppressWarnings("unchecked")
        Map<String, Object> state = (Map<String, Object>) browser.executeScript("""
                var out = {};
                document.querySelectorAll('#bulk-results li').forEach(function (li) {
                  out['result:' + li.getAttribute('data-result-for')] = li.textContent.replace(/\\s+/g, ' ').trim();
                });
                document.querySelectorAll('tr[data-subaccount]').forEach(function (tr) {
                  out['status:' + tr.getAttribute('data-subaccount')] = tr.querySelector('[class^=status-]').className;
                });
                return out;""");
        assertThat(state.get("result:Amber shop")).asString().contains("Deactivated");
        assertThat(state.get("result:Cedar shop")).asString().contains("Deactivated");
        assertThat(state).doesNotContainKey("result:Basil shop");
        assertThat(state.get("status:Amber shop")).isEqualTo("status-INACTIVE");
        assertThat(state.get("status:Cedar shop")).isEqualTo("status-INACTIVE");
        assertThat(state.get("status:Basil shop")).isEqualTo("status-ACTIVE");
    }

    private List<String> rows() {
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) browser.executeScript(
                "return Array.from(document.querySelectorAll('tr[data-subaccount]')).map(function (tr) {"
                        + " return tr.getAttribute('data-subaccount'); });");
        return names;
    }
}
