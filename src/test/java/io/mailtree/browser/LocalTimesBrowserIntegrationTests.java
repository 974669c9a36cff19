package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.Times;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Times and numbers as the reader expects them, in real headless Chromium: a browser in Tokyo reads
 * the pages' times in Tokyo time with the zone named, to the second; a French reader reads the plan
 * "Pro 5 000", with the same thousands separator as the limit beside it.
 */
class LocalTimesBrowserIntegrationTests extends BrowserTestSupport {

    private static final String PASSWORD = "local-times-password";

    @Test
    @DisplayName("A browser in Tokyo reads the keys page's times in Tokyo time, named JST, to the second")
    void timesAreInTheBrowsersZone() {
        Master master = master("pro-5000");
        // Ahead of any use, so the key's own use (which only moves the time forward) cannot replace it.
        Instant lastUse = Instant.parse("2030-06-15T03:04:05.123456Z");
        jdbc.sql("update api_key set last_used_at = ? where account_id = ?")
                .params(Times.sql(lastUse), UUID.fromString(master.id())).update();
        browser.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", "Asia/Tokyo"));
        signIn(ownerOf(master, PASSWORD), PASSWORD);
        waitFor(ExpectedConditions.urlContains("/home"));
        assertThat(browser.manage().getCookieNamed("mt_tz").getValue()).isEqualTo("Asia%2FTokyo");

        for (String lang : new String[] {"en", "ja", "fr"}) {
            open("/keys?lang=" + lang);
            String shown = text(By.cssSelector("td.last-used span"));
            assertThat(shown).as(lang).contains("2030").contains("12:04:05").endsWith("JST")
                    .doesNotContain("03:04:05").doesNotContain(".123").doesNotContain("T03");
        }
        // Without the browser's word (no cookie), the same time reads in UTC, named so.
        browser.manage().deleteCookieNamed("mt_tz");
        browser.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", "UTC"));
        open("/keys?lang=en");
        assertThat(browser.findElement(By.cssSelector("td.last-used span")).getText()).contains("3:04:05").endsWith("UTC");
    }

    @Test
    @DisplayName("Plan names carry their numbers in the page's language: Pro 5 000 in French, beside a limit of 5 000")
    void planNamesFollowTheLanguage() {
        Master master = master("pro-5000");
        signIn(ownerOf(master, PASSWORD), PASSWORD);
        waitFor(ExpectedConditions.urlContains("/home"));
        for (String lang : new String[] {"fr", "ja", "en"}) {
            open("/home?lang=" + lang);
            String limit = text(By.id("allowance-limit"));
            String plan = text(By.id("home-plan"));
            assertThat(plan).as(lang).isEqualTo("Pro " + limit);
            if (lang.equals("fr")) {
                assertThat(plan).isNotEqualTo("Pro 5,000").matches("Pro 5[\\s\\u00a0\\u202f]000");
            }
            open("/account/billing?lang=" + lang);
            assertThat(text(By.id("billing-plan"))).isEqualTo(plan);
        }
    }
}
