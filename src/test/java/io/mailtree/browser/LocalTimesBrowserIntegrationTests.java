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
 * "Pro 5 000", with the same thousands separator as the limit beside it; a browser in New York finds
 * what happened at 23:30 on a Monday on Monday's bar of the chart and under Monday in the audit log.
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

    @Test
    @DisplayName("A browser in New York sees 23:30 on Monday on Monday's bar and finds it filtering the audit log on Monday")
    void daysAreTheBrowsersDays() {
        Master master = master("pro-5000");
        Instant mondayLate = Instant.parse("2026-12-01T04:30:00Z"); // 23:30 on Monday 30 November in New York
        for (String type : new String[] {"ACCEPTED", "DELIVERED"}) {
            jdbc.sql("""
                    insert into message_stat (account_id, api_key_id, hour_start, event_type, shard, event_count)
                    values (?, ?, ?, ?, 0, 2)""")
                    .params(UUID.fromString(master.id()), io.mailtree.delivery.MessageStatistics.NO_KEY,
                            Times.sql(Instant.parse("2026-12-01T04:00:00Z")), type).update();
        }
        advanceClock(java.time.Duration.between(clock().instant(), mondayLate));
        assertThat(master.api().post("/api/v1/templates", "{\"name\":\"monday-late\",\"html\":\"<p>x</p>\"}")
                .status()).isEqualTo(201);
        advanceClock(java.time.Duration.between(clock().instant(), Instant.parse("2026-12-02T12:00:00Z")));

        browser.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", "America/New_York"));
        signIn(ownerOf(master, PASSWORD), PASSWORD);
        waitFor(ExpectedConditions.urlContains("/home"));
        open("/home/sending?lang=en");
        assertThat(attribute(By.cssSelector("#dashboard-chart g.bar[data-day='2026-11-30']"), "data-total"))
                .isEqualTo("2");
        assertThat(attribute(By.cssSelector("#dashboard-chart g.bar[data-day='2026-12-01']"), "data-total"))
                .isEqualTo("0");

        open("/audit?lang=en&action=template.created");
        // The date pickers' value, as the browser sends it whatever the format it displays.
        browser.executeScript("document.getElementById('filter-from').value = '2026-11-30';"
                + "document.getElementById('filter-to').value = '2026-11-30';");
        submit(By.id("filter-apply"));
        assertThat(browser.getCurrentUrl()).contains("from=2026-11-30").contains("to=2026-11-30");
        assertThat(text(By.tagName("main"))).contains("monday-late").contains("America/New_York");
        open("/audit?lang=en&action=template.created&from=2026-12-01&to=2026-12-01");
        assertThat(text(By.tagName("main"))).doesNotContain("monday-late");
    }
}
