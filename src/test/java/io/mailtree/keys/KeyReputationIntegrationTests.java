package io.mailtree.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.support.Api;
import io.mailtree.support.WebSession;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * D-18 and D-19 on the real consumer and PostgreSQL: what each outcome counts as, replays that
 * count nothing twice, rolling windows, alerts once per crossing, the minimum volume, the
 * reputation API's tenancy and the pages.
 */
class KeyReputationIntegrationTests extends ReputationTestSupport {

    private Map<String, Object> hour(UUID key, Instant hour) {
        return jdbc.sql("select * from key_reputation_hour where api_key_id = ? and hour_start = ?")
                .params(key, io.mailtree.shared.Times.sql(hour)).query().singleRow();
    }

    @Test
    @DisplayName("D-18: sent, delivered, hard and soft bounces, complaints and 5.7.x blocks are counted per key and hour")
    void d18_countsEachOutcomePerKeyAndHour() {
        Master master = master("pro-1000");
        UUID key = primaryKey(master.id());
        Instant now = clock().instant();
        List<Outcome> batch = new ArrayList<>(sentAndDelivered(master.id(), key, 6, 2, now));
        batch.add(event(master.id(), key, "BOUNCED", "gone@example.test", "HARD", "hard: 550 5.1.1 user unknown", now));
        batch.add(event(master.id(), key, "BOUNCED", "spam@example.test", "HARD",
                "hard: 554 5.7.1 message refused as spam", now));
        batch.add(event(master.id(), key, "BOUNCED", "full@example.test", "SOFT",
                "soft: no delivery within the retry horizon; last error: 452 4.2.2 mailbox full", now));
        batch.add(complaint(master.id(), key, now));
        batch.add(event(master.id(), key, "DEFERRED", "slow@example.test", null, "451 try later", now));
        // Mail sent from the pages has no key and counts for none.
        batch.add(event(master.id(), null, "DELIVERED", "pages@example.test", null, null, now));
        apply(batch);

        Map<String, Object> row = hour(key, now.truncatedTo(ChronoUnit.HOURS));
        assertThat(row).containsEntry("sent", 6L).containsEntry("delivered", 2L).containsEntry("hard_bounces", 1L)
                .containsEntry("blocks", 1L).containsEntry("soft_bounces", 1L).containsEntry("complaints", 1L)
                .containsEntry("unsubscribes", 0L);
    }

    @Test
    @DisplayName("D-18: a replayed batch counts nothing twice")
    void d18_replayCountsNothingTwice() {
        Master master = master("pro-1000");
        UUID key = primaryKey(master.id());
        Instant now = clock().instant();
        List<Outcome> batch = sentAndDelivered(master.id(), key, 3, 3, now);
        apply(batch);
        apply(batch);
        apply(batch.subList(1, 3));
        assertThat(hour(key, now.truncatedTo(ChronoUnit.HOURS))).containsEntry("sent", 3L).containsEntry("delivered", 3L);
    }

    @Test
    @DisplayName("D-18: the 24-hour, 7-day and 30-day windows sum their own hours")
    void d18_rollingWindows() {
        Master master = master("pro-1000");
        UUID key = primaryKey(master.id());
        Instant now = clock().instant();
        List<Outcome> batch = new ArrayList<>();
        batch.addAll(sentAndDelivered(master.id(), key, 10, 10, now.minus(Duration.ofHours(2))));
        batch.addAll(sentAndDelivered(master.id(), key, 20, 20, now.minus(Duration.ofDays(3))));
        batch.addAll(sentAndDelivered(master.id(), key, 40, 40, now.minus(Duration.ofDays(20))));
        batch.addAll(sentAndDelivered(master.id(), key, 80, 80, now.minus(Duration.ofDays(45))));
        apply(batch);

        JsonNode windows = master.api().get("/api/v1/keys/" + key + "/reputation").json().get("windows");
        assertThat(windows.get("24h").get("sent").asLong()).isEqualTo(10);
        assertThat(windows.get("7d").get("sent").asLong()).isEqualTo(30);
        assertThat(windows.get("30d").get("sent").asLong()).isEqualTo(70);
    }

    @Test
    @DisplayName("D-19: an alert is raised once per crossing, not once per message, and again only after the rate fell back")
    void d19_alertRaisedOncePerCrossing() {
        minimumVolume(100);
        Master master = master("pro-1000");
        UUID key = primaryKey(master.id());
        Instant now = clock().instant();
        apply(sentAndDelivered(master.id(), key, 100, 100, now));
        assertThat(alerts(key, "complaint.warn")).isZero();

        apply(List.of(complaint(master.id(), key, now)));          // 1 %: above 0.08 % and 0.3 %
        assertThat(alerts(key, "complaint.warn")).isEqualTo(1);
        assertThat(alerts(key, "complaint.pause")).isEqualTo(1);
        assertThat(paused(key)).isTrue();

        for (int i = 0; i < 5; i++) {                               // more complaints: still above, nothing new
            apply(List.of(complaint(master.id(), key, now), complaint(master.id(), key, now)));
        }
        assertThat(alerts(key, "complaint.warn")).isEqualTo(1);
        assertThat(alerts(key, "complaint.pause")).isEqualTo(1);
        assertThat(alerts(key, "hard_bounce.warn")).isZero();

        // 11 complaints over 10,100 delivered is 0.109 %: below the pause threshold, still above warn.
        apply(sentAndDelivered(master.id(), key, 10_000, 10_000, now));
        apply(List.of(complaint(master.id(), key, now)));          // 12 / 10,100 = 0.119 %: no crossing
        assertThat(alerts(key, "complaint.pause")).isEqualTo(1);
        for (int i = 0; i < 20; i++) {                              // past 0.3 % again: a second crossing
            apply(List.of(complaint(master.id(), key, now)));
        }
        assertThat(alerts(key, "complaint.pause")).isEqualTo(2);
        assertThat(alerts(key, "complaint.warn")).isEqualTo(1);

        // The numbers that triggered the first one.
        Map<String, Object> first = jdbc.sql("select * from key_alert where api_key_id = ? and threshold_code ="
                + " 'complaint.pause' order by id limit 1").param(key).query().singleRow();
        assertThat(first).containsEntry("numerator", 1L).containsEntry("denominator", 100L)
                .containsEntry("window_hours", 168);
        assertThat(((java.math.BigDecimal) first.get("rate_percent")).doubleValue()).isEqualTo(1.0);
        // An e-mail to the owner for each alert.
        String owner = jdbc.sql("select email from app_user where account_id = ?").param(UUID.fromString(master.id()))
                .query(String.class).single();
        assertThat(jdbc.sql("select count(*) from system_mail where recipient = ? and subject like 'API key paused%'")
                .param(owner).query(Long.class).single()).isEqualTo(2);
    }

    @Test
    @DisplayName("D-19: below the minimum volume in the window a key is not judged")
    void d19_notJudgedBelowMinimumVolume() {
        Master master = master("pro-1000");
        UUID key = primaryKey(master.id());
        Instant now = clock().instant();
        List<Outcome> batch = new ArrayList<>(sentAndDelivered(master.id(), key, 499, 400, now));
        for (int i = 0; i < 50; i++) {
            batch.add(event(master.id(), key, "BOUNCED", "b" + i + "@example.test", "HARD", "hard: 550 5.1.1", now));
            batch.add(complaint(master.id(), key, now));
        }
        apply(batch);
        assertThat(alerts(key, "hard_bounce.pause") + alerts(key, "complaint.pause")).isZero();
        assertThat(paused(key)).isFalse();
        apply(sentAndDelivered(master.id(), key, 1, 1, now));    // the 500th: judged now, and way above
        assertThat(alerts(key, "hard_bounce.pause")).isEqualTo(1);
        assertThat(alerts(key, "hard_bounce.warn")).isEqualTo(1);
        assertThat(paused(key)).isTrue();
    }

    @Test
    @DisplayName("D-18: another account's key, a sibling sub-account's key and a made-up id answer 404; a master sees its sub-accounts' keys")
    void d18_reputationTenancy() {
        Master master = master("pro-5000");
        JsonNode first = created(createSubaccount(master.api(), 500));
        JsonNode second = created(createSubaccount(master.api(), 500));
        Api firstSub = Api.withKey(port, first.get("apiKey"));
        String firstKey = first.get("apiKey").get("id").asString();
        String secondKey = second.get("apiKey").get("id").asString();
        Master stranger = master("pro-1000");

        assertThat(master.api().get("/api/v1/keys/" + firstKey + "/reputation").status()).isEqualTo(200);
        assertThat(master.api().get("/api/v1/keys/" + primaryKey(master.id()) + "/reputation").status()).isEqualTo(200);
        assertThat(firstSub.get("/api/v1/keys/" + firstKey + "/reputation").status()).isEqualTo(200);
        Api.Response sibling = firstSub.get("/api/v1/keys/" + secondKey + "/reputation");
        assertThat(sibling.status()).isEqualTo(404);
        assertThat(sibling.code()).isEqualTo("api_key_not_found");
        assertThat(firstSub.get("/api/v1/keys/" + primaryKey(master.id()) + "/reputation").status()).isEqualTo(404);
        assertThat(stranger.api().get("/api/v1/keys/" + firstKey + "/reputation").status()).isEqualTo(404);
        assertThat(stranger.api().get("/api/v1/keys/not-a-uuid/reputation").status()).isEqualTo(404);

        JsonNode summary = master.api().get("/api/v1/keys/reputation").json().get("items");
        List<String> ids = new ArrayList<>();
        summary.forEach(item -> ids.add(item.get("key").get("id").asString()));
        assertThat(ids).contains(firstKey, secondKey, primaryKey(master.id()).toString());
        JsonNode own = firstSub.get("/api/v1/keys/reputation").json().get("items");
        assertThat(own).hasSize(1);
    }

    @Test
    @DisplayName("D-18: the reputation page charts each rate with its thresholds as lines, in English, French and Japanese")
    void d18_reputationPage() {
        minimumVolume(10);
        Master master = master("pro-1000");
        UUID key = primaryKey(master.id());
        Instant now = clock().instant();
        List<Outcome> batch = new ArrayList<>(sentAndDelivered(master.id(), key, 200, 190, now.minus(Duration.ofDays(2))));
        batch.addAll(sentAndDelivered(master.id(), key, 100, 100, now));
        batch.add(complaint(master.id(), key, now));
        apply(batch);
        WebSession web = signIn(master);
        String page = web.get("/keys/" + key + "/reputation?lang=en").body();
        assertThat(page).contains("id=\"chart-HARD_BOUNCE\"").contains("id=\"chart-COMPLAINT\"")
                .contains("data-threshold=\"complaint.pause\"").contains("data-threshold=\"hard_bounce.warn\"")
                .contains("class=\"rate-line\"").contains("data-points=\"2\"").contains("This key is paused since")
                .contains("id=\"key-alert-banner\"");
        assertThat(web.get("/keys/" + key + "/reputation?lang=fr").body()).contains("Taux de plaintes par jour")
                .contains("Cette clé est suspendue");
        assertThat(web.get("/keys/" + key + "/reputation?lang=ja").body()).contains("日ごとの苦情率")
                .contains("一時停止中です");
        assertThat(web.get("/keys/reputation?lang=en").body()).contains("id=\"reputation-summary\"")
                .contains("data-key=\"" + key + "\"");
        Master stranger = master("pro-1000");
        assertThat(signIn(stranger).get("/keys/" + key + "/reputation").status()).isEqualTo(404);
    }

    private static JsonNode created(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json();
    }

    WebSession signIn(Master account) {
        String owner = jdbc.sql("select email from app_user where account_id = ?").param(UUID.fromString(account.id()))
                .query(String.class).single();
        jdbc.sql("update app_user set password_hash = ? where account_id = ?")
                .params("{noop}reputation-pass-1", UUID.fromString(account.id())).update();
        WebSession session = new WebSession(port);
        assertThat(session.signIn(owner, "reputation-pass-1")).endsWith("/home");
        return session;
    }
}
