package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import io.mailtree.support.InboundReports;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in real headless Chromium, after real sends through the queue to the test's SMTP
 * relay and a real complaint through the inbound server: its figures are the statistics API's, for
 * each of the three periods; a master sees its sub-account among the busiest with its contacts and
 * allocation; it fits a 390 px screen; it reads in English, French and Japanese (screenshots in
 * target/screenshots); and a master that sent nothing is told what to do next and where its API
 * key's secret is.
 */
class DashboardBrowserIntegrationTests extends BrowserTestSupport {

    private static final String PASSWORD = "dashboard-browser-password";
    private static final String[] METRICS = {"sent", "delivered", "bounced", "complained"};

    @Value("${mailtree.inbound-port}")
    int inboundPort;

    @Test
    @DisplayName("After real sends and a complaint, the dashboard shows the statistics API's figures for 24 h, 7 days and 30 days, and the busiest sub-account")
    void dashboardFiguresMatchTheStatisticsApi() throws Exception {
        Master master = master("pro-5000");
        String subName = "Lyon shop " + System.nanoTime();
        String subId = createSubaccount(master.api(), subName, uniqueEmail("dash-sub"), null, 500).json()
                .get("subaccount").get("id").asString();
        setOwnActiveContacts(subId, 42);
        Api sub = master.api().onBehalfOf(subId);

        String masterFrom = confirmedSender(master.api());
        List<String> readers = List.of(uniqueEmail("dash-a"), uniqueEmail("dash-b"), uniqueEmail("dash-c"));
        List<String> masterIds = send(master.api(), masterFrom, readers);
        String subFrom = confirmedSender(sub);
        List<String> subIds = send(sub, subFrom, List.of(uniqueEmail("dash-d"), uniqueEmail("dash-e")));
        awaitDelivered(master.api(), masterIds);
        awaitDelivered(sub, subIds);
        complain(readers.get(0));
        Eventually.afterConsumers(() -> assertThat(api(master.api(), "30d", "complained")).isEqualTo(1));

        JsonNode periods = master.api().get("/api/v1/statistics").json().get("periods");
        assertThat(periods.get("24h").get("sent").asLong()).isEqualTo(3);
        assertThat(periods.get("24h").get("delivered").asLong()).isEqualTo(3);

        signIn(ownerOf(master, PASSWORD), PASSWORD);
        waitFor(ExpectedConditions.urlContains("/home"));
        waitFor(ExpectedConditions.presenceOfElementLocated(By.id("dashboard-periods")));
        // One read of what htmx swapped in: every figure of the three periods, and the busiest sub-account's row.
        @SuppressWarnings("unchecked")
        Map<String, Object> shown = (Map<String, Object>) browser.executeScript("""
                var figures = {};
                document.querySelectorAll('#dashboard-periods tr[data-period]').forEach(function (row) {
                  row.querySelectorAll('td[data-metric]').forEach(function (cell) {
                    figures[row.dataset.period + '.' + cell.dataset.metric] = cell.dataset.value + '|' + cell.textContent.trim();
                  });
                });
                var top = document.querySelector('#dashboard-top tr[data-subaccount="' + arguments[0] + '"]');
                figures.top = top ? top.textContent.replace(/\\s+/g, ' ').trim() : null;
                figures.chartBars = document.querySelectorAll('#dashboard-chart g.bar rect').length;
                figures.alerts = document.getElementById('dashboard-alerts') !== null;
                return figures;""", subId);
        for (String period : new String[] {"24h", "7d", "30d"}) {
            for (String metric : METRICS) {
                long expected = periods.get(period).get(metric).asLong();
                assertThat(shown.get(period + "." + metric)).as(period + " " + metric)
                        .isEqualTo(expected + "|" + String.format(java.util.Locale.ENGLISH, "%,d", expected));
            }
        }
        assertThat(shown.get("top")).as("the sub-account among the busiest").isNotNull();
        assertThat((String) shown.get("top")).contains(subName, "42 of 500").contains("2");
        assertThat(((Number) shown.get("chartBars")).longValue()).isPositive();
        assertThat(shown.get("alerts")).isEqualTo(true);

        // Another master's dashboard and API hold none of this.
        Master other = master("pro-5000");
        assertThat(other.api().get("/api/v1/statistics").json().get("periods").get("30d").get("sent").asLong()).isZero();

        for (String lang : new String[] {"en", "fr", "ja"}) {
            open("/home?lang=" + lang);
            waitFor(ExpectedConditions.presenceOfElementLocated(By.id("dashboard-periods")));
            assertThat(browser.findElement(By.cssSelector("#dashboard-periods tr[data-period='30d'] td")).getText())
                    .isEqualTo(Map.of("en", "Last 30 days", "fr", "30 derniers jours", "ja", "過去30日間").get(lang));
            fullPageScreenshot("dashboard-" + lang);
            assertThat(Path.of("target", "screenshots", "dashboard-" + lang + ".png")).isNotEmptyFile();
        }
        open("/home?lang=en");
    }

    @Test
    @DisplayName("At 390 px the dashboard does not scroll sideways")
    void dashboardFitsA390PixelScreen() throws Exception {
        Master master = master("pro-5000");
        Api.Response sub = createSubaccount(master.api(), "Narrow dashboard sub-account with a long name",
                uniqueEmail("dash-narrow"), null, 500);
        assertThat(sub.status()).as(sub.toString()).isEqualTo(201);
        String subId = sub.json().get("subaccount").get("id").asString();
        setOwnActiveContacts(subId, 3);
        // The sub-account's ranking row, written as delivery counts it, so the widest table is on the page.
        jdbc.sql("""
                insert into message_stat (account_id, api_key_id, hour_start, event_type, shard, event_count)
                values (?, ?, ?, 'ACCEPTED', 0, 1234567)""")
                .params(UUID.fromString(subId), io.mailtree.delivery.MessageStatistics.NO_KEY,
                        io.mailtree.shared.Times.sql(clock().instant().truncatedTo(java.time.temporal.ChronoUnit.HOURS)))
                .update();
        String from = confirmedSender(master.api());
        awaitDelivered(master.api(), send(master.api(), from, List.of(uniqueEmail("dash-narrow-r"))));
        signIn(ownerOf(master, PASSWORD), PASSWORD);
        waitFor(ExpectedConditions.urlContains("/home"));
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 390, "height", 844, "deviceScaleFactor", 1, "mobile", true));
        for (String lang : new String[] {"en", "fr", "ja"}) {
            open("/home?lang=" + lang);
            waitFor(ExpectedConditions.presenceOfElementLocated(By.id("dashboard-chart")));
            waitFor(ExpectedConditions.presenceOfElementLocated(By.id("dashboard-top")));
            long innerWidth = ((Number) browser.executeScript("return window.innerWidth")).longValue();
            long scrollWidth = ((Number) browser.executeScript("return document.documentElement.scrollWidth")).longValue();
            assertThat(innerWidth).isEqualTo(390);
            assertThat(scrollWidth).as("page width in " + lang).isLessThanOrEqualTo(innerWidth);
            long height = ((Number) browser.executeScript("return document.documentElement.scrollHeight")).longValue();
            browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", 390, "height", (int) Math.min(height, 4000), "deviceScaleFactor", 1, "mobile", true));
            Chromium.screenshot(browser, "dashboard-narrow-" + lang);
            browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", 390, "height", 844, "deviceScaleFactor", 1, "mobile", true));
        }
        open("/home?lang=en");
    }

    @Test
    @DisplayName("A master that sent nothing is told what to do next and reaches its API keys page from home")
    void newMasterIsLedToItsApiKeys() {
        Master master = master("free");
        signIn(ownerOf(master, PASSWORD), PASSWORD);
        waitFor(ExpectedConditions.urlContains("/home"));
        waitFor(ExpectedConditions.presenceOfElementLocated(By.id("dashboard-empty")));
        assertThat(text(By.id("dashboard-empty"))).contains("Nothing was sent in the last 30 days.");
        assertThat(attribute(By.id("dashboard-keys-link"), "href")).endsWith("/keys");
        assertThat(browser.findElements(By.id("dashboard-chart"))).isEmpty();
        assertThat(text(By.id("dashboard-no-alerts"))).isNotBlank();
        click(By.id("home-keys-link"));
        waitFor(ExpectedConditions.urlContains("/keys"));
        waitFor(ExpectedConditions.presenceOfElementLocated(By.cssSelector("main h1")));
        assertThat(text(By.cssSelector("main h1"))).isEqualTo("API keys");
    }

    @Test
    @DisplayName("D-7: home shows the master's own contacts apart from its sub-accounts' allocations, and their sum as what counts against the limit")
    void d7HomeKeepsOwnContactsApartFromAllocations() {
        Master master = master("pro-5000");
        setOwnActiveContacts(master.id(), 7);
        createSubaccount(master.api(), "Allocated shop " + System.nanoTime(), uniqueEmail("dash-d7"), null, 500);
        signIn(ownerOf(master, PASSWORD), PASSWORD);
        waitFor(ExpectedConditions.urlContains("/home"));
        assertThat(text(By.id("allowance-own"))).isEqualTo("7");
        assertThat(text(By.id("allowance-allocated"))).isEqualTo("500");
        assertThat(text(By.id("allowance-committed"))).isEqualTo("507");
        assertThat(text(By.cssSelector("#allowance dl"))).doesNotContain("Total active contacts")
                .contains("Counted against the limit (own contacts, allocations and pending releases)");
        assertThat(text(By.id("allowance-available"))).isEqualTo("4,493");
    }

    /** A screenshot of the whole page, not only the first screenful: the window grows to the page's height. */
    private void fullPageScreenshot(String name) {
        org.openqa.selenium.Dimension before = browser.manage().window().getSize();
        long height = ((Number) browser.executeScript("return document.documentElement.scrollHeight")).longValue();
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(before.getWidth(), (int) Math.min(height + 120, 4000)));
        Chromium.screenshot(browser, name);
        browser.manage().window().setSize(before);
    }

    private long api(Api api, String period, String metric) {
        return api.get("/api/v1/statistics").json().get("periods").get(period).get(metric).asLong();
    }

    private String confirmedSender(Api api) {
        String address = "news-" + UUID.randomUUID().toString().substring(0, 6) + "@dashboard.example.test";
        Api.Response created = api.post("/api/v1/senders", "{\"email\":\"" + address + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        return address;
    }

    private static List<String> send(Api api, String from, List<String> recipients) {
        StringBuilder body = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < recipients.size(); i++) {
            body.append(i == 0 ? "" : ",").append("{\"from\":{\"email\":\"").append(from).append("\"},\"to\":[{\"email\":\"")
                    .append(recipients.get(i)).append("\"}],\"subject\":\"Dashboard\",\"text\":\"Hello\"}");
        }
        Api.Response response = api.post("/api/v1/send", body.append("]}").toString());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        response.json().get("results").forEach(r -> {
            assertThat(r.get("status").asString()).as(r.toString()).isEqualTo("accepted");
            ids.add(r.get("id").asString());
        });
        return ids;
    }

    private static void awaitDelivered(Api api, List<String> ids) {
        Eventually.within(Duration.ofSeconds(30), () -> ids.forEach(id -> assertThat(
                api.get("/api/v1/messages/" + id).json().get("message").get("status").asString()).isEqualTo("DELIVERED")));
    }

    /** An ARF abuse report for the recipient's copy, sent to its return path through the inbound server. */
    private void complain(String recipient) throws Exception {
        String token = null;
        long deadline = System.currentTimeMillis() + 10_000;
        while (token == null && System.currentTimeMillis() < deadline) {
            for (MimeMessage copy : TestInfrastructure.SMTP.getReceivedMessages()) {
                if (Arrays.stream(copy.getAllRecipients()).anyMatch(a -> a.toString().equalsIgnoreCase(recipient))
                        && copy.getHeader("Return-Path") != null) {
                    String returnPath = copy.getHeader("Return-Path")[0].replaceAll("[<>\\s]", "");
                    token = returnPath.substring("bounces+".length(), returnPath.indexOf('@'));
                }
            }
            Thread.sleep(50);
        }
        assertThat(token).as("the relay got the copy to " + recipient).isNotNull();
        InboundReports.send(inboundPort, "fbl@isp.example", "bounces+" + token + "@bounces.mailtree.localhost",
                InboundReports.arf(null, recipient, null, "Dashboard"));
    }
}
