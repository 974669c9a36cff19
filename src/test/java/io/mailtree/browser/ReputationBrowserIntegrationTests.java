package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.Times;
import io.mailtree.support.Eventually;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * D-18 in real headless Chromium: the master creates a MARKETING key for a sub-account on the keys
 * page, its mail's outcomes reach the reputation consumer through the event stream, and the master
 * opens the key's reputation page and sees each rate's chart with the thresholds drawn as lines.
 */
class ReputationBrowserIntegrationTests extends BrowserTestSupport {

    private static final String PASSWORD = "reputation-browser-password";

    private void event(String account, UUID key, String type, String recipient, String detail) {
        jdbc.sql("""
                insert into message_event (account_id, message_id, api_key_id, event_type, recipient, detail, occurred_at)
                values (?, 42, ?, ?, ?, ?, ?)""")
                .params(UUID.fromString(account), key, type, recipient, detail, Times.sql(Instant.now())).update();
    }

    @Test
    @DisplayName("D-18: the master creates a MARKETING key for a sub-account, opens its reputation page and sees the chart")
    void d18_masterOpensMarketingKeyReputationAndSeesChart() {
        Master master = master("pro-5000");
        String subName = "Paris newsletter " + System.nanoTime();
        String subId = createSubaccount(master.api(), subName, uniqueEmail("rep-sub"), null, 500).json()
                .get("subaccount").get("id").asString();

        signIn(ownerOf(master, PASSWORD), PASSWORD);
        waitFor(ExpectedConditions.urlContains("/home"));
        createKeyOnKeysPage(subId, "Spring campaign", "MARKETING");
        waitFor(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-key-name='Spring campaign']")));
        WebElement row = browser.findElement(By.cssSelector("tr[data-key-name='Spring campaign']"));
        UUID key = UUID.fromString(row.getDomAttribute("data-key"));

        // What its mail came to, as delivery writes it to the outcome stream: 40 sent, 40 delivered, 1 complaint.
        event(subId, key, "ACCEPTED", null, "40 recipients");
        for (int i = 0; i < 40; i++) {
            event(subId, key, "DELIVERED", "r" + i + "@example.test", null);
        }
        event(subId, key, "COMPLAINED", "r0@example.test", "feedback type abuse");
        Eventually.afterConsumers(() -> assertThat(jdbc.sql("select coalesce(sum(complaints), 0) from key_reputation_hour"
                + " where api_key_id = ?").param(key).query(Long.class).single()).isEqualTo(1));

        browser.findElement(By.cssSelector("tr[data-key-name='Spring campaign'] .key-reputation")).click();
        waitFor(ExpectedConditions.presenceOfElementLocated(By.id("chart-COMPLAINT")));
        WebElement complaints = browser.findElement(By.id("chart-COMPLAINT"));
        assertThat(complaints.findElements(By.cssSelector("svg line.threshold"))).hasSize(2);
        assertThat(complaints.findElements(By.cssSelector("svg circle.rate-point"))).hasSize(1);
        assertThat(complaints.findElement(By.cssSelector("svg circle.rate-point")).getDomAttribute("data-rate"))
                .isEqualTo("2.5");
        assertThat(browser.findElement(By.id("chart-HARD_BOUNCE")).findElements(By.cssSelector("svg line.threshold")))
                .hasSize(2);
        assertThat(browser.findElement(By.cssSelector("tr[data-window='24'] td[data-metric='complaints']")).getText())
                .isEqualTo("1");
        assertThat(browser.findElement(By.tagName("h1")).getText()).contains("Spring campaign");
        Chromium.screenshot(browser, "reputation-01-chart");
    }
}
