package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.Times;
import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The charts' days are the reader's calendar days, on real PostgreSQL: {@code GET
 * /api/v1/statistics?timezone=} lists them, the dashboard and the statistics page draw them for the
 * zone the browser reported ({@code mt_tz}), across a day boundary and on the day the clocks go back
 * in Paris (Sunday 25 October 2026, 25 hours long).
 */
class LocalDaysIntegrationTests extends MailtreeTestBase {

    /** Sunday 25 October 2026 in Paris runs from 22:00 UTC on the 24th to 23:00 UTC on the 25th: 25 hours. */
    private static final Instant PARIS_DAY_START = Instant.parse("2026-10-24T22:00:00Z");
    private static final Instant PARIS_DAY_END = Instant.parse("2026-10-25T23:00:00Z");

    private void count(String account, Instant hour, long count) {
        for (String type : new String[] {"ACCEPTED", "DELIVERED"}) {
            jdbc.sql("""
                    insert into message_stat (account_id, api_key_id, hour_start, event_type, shard, event_count)
                    values (?, ?, ?, ?, 0, ?)""")
                    .params(UUID.fromString(account), MessageStatistics.NO_KEY, Times.sql(hour), type, count).update();
        }
    }

    private void clockAt(Instant at) {
        advanceClock(Duration.between(clock().instant(), at));
    }

    /** Hours around the Paris change of 25 October: each count says which day it belongs to. */
    private Master parisMaster() {
        Master master = master("pro-5000");
        count(master.id(), Instant.parse("2026-10-24T21:00:00Z"), 8);  // 23:00 Saturday in Paris (CEST)
        count(master.id(), Instant.parse("2026-10-24T22:00:00Z"), 1);  // 00:00 Sunday in Paris, still the 24th in UTC
        count(master.id(), Instant.parse("2026-10-25T22:00:00Z"), 2);  // 23:00 Sunday in Paris (CET)
        count(master.id(), Instant.parse("2026-10-25T23:00:00Z"), 4);  // 00:00 Monday in Paris, the 25th in UTC
        clockAt(Instant.parse("2026-10-26T12:00:00Z"));
        return master;
    }

    @Test
    @DisplayName("statistics API: days of the given zone, the 25-hour day the clocks go back in Paris included; UTC by default")
    void statisticsDaysFollowTheZone() {
        Master master = parisMaster();
        JsonNode paris = master.api().get("/api/v1/statistics?timezone=Europe/Paris").json();
        assertThat(paris.get("timezone").asString()).isEqualTo("Europe/Paris");
        Map<String, JsonNode> days = byDate(paris.get("days"));
        assertThat(days).hasSize(30);
        assertThat(paris.get("days").get(29).get("date").asString()).as("today is last").isEqualTo("2026-10-26");
        JsonNode sunday = days.get("2026-10-25");
        assertThat(Instant.parse(sunday.get("from").asString())).isEqualTo(PARIS_DAY_START);
        assertThat(Instant.parse(sunday.get("to").asString())).isEqualTo(PARIS_DAY_END);
        assertThat(sunday.get("sent").asLong()).as("00:00 CEST and 23:00 CET are both Sunday's").isEqualTo(3);
        assertThat(sunday.get("delivered").asLong()).isEqualTo(3);
        assertThat(days.get("2026-10-24").get("sent").asLong()).isEqualTo(8);
        assertThat(days.get("2026-10-26").get("sent").asLong()).isEqualTo(4);

        JsonNode utc = master.api().get("/api/v1/statistics").json();
        assertThat(utc.get("timezone").asString()).isEqualTo("UTC");
        Map<String, JsonNode> utcDays = byDate(utc.get("days"));
        assertThat(utcDays.get("2026-10-24").get("sent").asLong()).isEqualTo(9);
        assertThat(utcDays.get("2026-10-25").get("sent").asLong()).isEqualTo(6);
        assertThat(utcDays.get("2026-10-26").get("sent").asLong()).isZero();
        // The periods do not depend on the zone.
        assertThat(utc.get("periods").get("7d").get("sent").asLong()).isEqualTo(15);
        assertThat(paris.get("periods").get("7d").get("sent").asLong()).isEqualTo(15);
    }

    @Test
    @DisplayName("statistics API: 23:30 on Monday in New York is Monday's there and Tuesday's in UTC")
    void lateEveningCountsOnTheLocalDay() {
        Master master = master("pro-5000");
        count(master.id(), Instant.parse("2026-12-01T04:00:00Z"), 1); // 23:00-24:00 Monday 30 November in New York
        clockAt(Instant.parse("2026-12-02T12:00:00Z"));
        Map<String, JsonNode> newYork = byDate(master.api().get("/api/v1/statistics?timezone=America/New_York").json()
                .get("days"));
        assertThat(newYork.get("2026-11-30").get("sent").asLong()).isEqualTo(1);
        assertThat(newYork.get("2026-12-01").get("sent").asLong()).isZero();
        Map<String, JsonNode> utc = byDate(master.api().get("/api/v1/statistics?timezone=UTC").json().get("days"));
        assertThat(utc.get("2026-11-30").get("sent").asLong()).isZero();
        assertThat(utc.get("2026-12-01").get("sent").asLong()).isEqualTo(1);
    }

    @Test
    @DisplayName("statistics API: a zone that is not one is refused with invalid_timezone and 400")
    void refusesAnUnknownZone() {
        Master master = master("pro-5000");
        for (String zone : new String[] {"Mars/Olympus", "%2B99:00", "x".repeat(200)}) {
            Api.Response refused = master.api().get("/api/v1/statistics?timezone=" + zone);
            assertThat(refused.status()).as(zone).isEqualTo(400);
            assertThat(refused.code()).isEqualTo("invalid_timezone");
            assertThat(refused.json().get("field").asString()).isEqualTo("timezone");
        }
    }

    @Test
    @DisplayName("dashboard and statistics page: the chart's bars are the browser's calendar days, as the API answers them")
    void chartsDrawTheReadersDays() {
        Master master = parisMaster();
        WebSession paris = signInAsOwner(master).cookie("mt_tz", "Europe%2FParis");
        Document dashboard = Jsoup.parse(paris.get("/home/sending?lang=en").body());
        assertThat(dashboard.select("#dashboard-chart g.bar")).hasSize(30);
        assertThat(bar(dashboard, "#dashboard-chart", "2026-10-25").attr("data-total")).isEqualTo("3");
        assertThat(Instant.parse(bar(dashboard, "#dashboard-chart", "2026-10-25").attr("data-start")))
                .isEqualTo(PARIS_DAY_START);
        assertThat(bar(dashboard, "#dashboard-chart", "2026-10-24").attr("data-total")).isEqualTo("8");
        assertThat(bar(dashboard, "#dashboard-chart", "2026-10-26").attr("data-total")).isEqualTo("4");
        JsonNode api = byDate(master.api().get("/api/v1/statistics?timezone=Europe/Paris").json().get("days"))
                .get("2026-10-25");
        assertThat(bar(dashboard, "#dashboard-chart", "2026-10-25").attr("data-total"))
                .isEqualTo(String.valueOf(api.get("delivered").asLong()));

        Document page = Jsoup.parse(paris.get("/statistics?range=30d&lang=en").body());
        assertThat(bar(page, "#outcome-chart", "2026-10-25").attr("data-total")).isEqualTo("3");
        assertThat(page.text()).contains("Europe/Paris");

        WebSession utc = signInAsOwner(master);
        Document utcDashboard = Jsoup.parse(utc.get("/home/sending?lang=en").body());
        assertThat(bar(utcDashboard, "#dashboard-chart", "2026-10-25").attr("data-total")).isEqualTo("6");
        assertThat(bar(utcDashboard, "#dashboard-chart", "2026-10-24").attr("data-total")).isEqualTo("9");
    }

    private static org.jsoup.nodes.Element bar(Document page, String chart, String day) {
        org.jsoup.nodes.Element bar = page.selectFirst(chart + " g.bar[data-day=" + day + "]");
        assertThat(bar).as(chart + " " + day).isNotNull();
        return bar;
    }

    private static Map<String, JsonNode> byDate(JsonNode days) {
        Map<String, JsonNode> byDate = new LinkedHashMap<>();
        days.forEach(day -> byDate.put(day.get("date").asString(), day));
        return byDate;
    }
}
