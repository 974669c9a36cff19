package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.Times;
import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard's sending part and {@code GET /api/v1/statistics} on real PostgreSQL: the periods
 * add up the hourly counts (an hour 3 days ago counts in 7 and 30 days, not in 24 hours), each
 * account reads only its own figures, a sub-account sees no ranking of its siblings, and the part is
 * a fragment for htmx and a page of its own otherwise.
 */
class DashboardPagesIntegrationTests extends MailtreeTestBase {

    private void count(String account, Instant hour, String type, long count) {
        jdbc.sql("""
                insert into message_stat (account_id, api_key_id, hour_start, event_type, shard, event_count)
                values (?, ?, ?, ?, 0, ?)""")
                .params(UUID.fromString(account), MessageStatistics.NO_KEY,
                        Times.sql(hour.truncatedTo(ChronoUnit.HOURS)), type, count).update();
    }

    @Test
    @DisplayName("The periods sum the hours they hold, per account; a sub-account sees its own figures and no sibling")
    void periodsAreScopedAndSummed() {
        Master master = master("pro-5000");
        Api.Response response = createSubaccount(master.api(), "Scoped shop", uniqueEmail("dash-scope"), "sub-password-1", 500);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        JsonNode created = response.json();
        String subId = created.get("subaccount").get("id").asString();
        Api sub = Api.withKey(port, created.get("apiKey"));
        Instant now = clock().instant();
        count(master.id(), now, "ACCEPTED", 4);
        count(master.id(), now, "DELIVERED", 3);
        count(master.id(), now.minus(3, ChronoUnit.DAYS), "ACCEPTED", 10);
        count(master.id(), now.minus(3, ChronoUnit.DAYS), "BOUNCED", 2);
        count(master.id(), now.minus(20, ChronoUnit.DAYS), "COMPLAINED", 1);
        count(master.id(), now.minus(40, ChronoUnit.DAYS), "ACCEPTED", 1000);
        count(subId, now, "ACCEPTED", 6);

        JsonNode periods = master.api().get("/api/v1/statistics").json().get("periods");
        assertThat(periods.get("24h").get("sent").asLong()).isEqualTo(4);
        assertThat(periods.get("7d").get("sent").asLong()).isEqualTo(14);
        assertThat(periods.get("7d").get("bounced").asLong()).isEqualTo(2);
        assertThat(periods.get("30d").get("sent").asLong()).isEqualTo(14);
        assertThat(periods.get("30d").get("complained").asLong()).isEqualTo(1);
        assertThat(sub.get("/api/v1/statistics").json().get("periods").get("30d").get("sent").asLong()).isEqualTo(6);

        WebSession owner = signInAsOwner(master);
        Document page = Jsoup.parse(owner.get("/home/sending").body());
        assertThat(page.select("main h1")).hasSize(1);
        assertThat(page.select("tr[data-period=7d] td[data-metric=sent]").attr("data-value")).isEqualTo("14");
        assertThat(page.select("#dashboard-top tr[data-subaccount=" + subId + "] td[data-metric=sent]").text())
                .isEqualTo("6");
        String fragment = owner.header("HX-Request", "true").get("/home/sending").body();
        assertThat(fragment).doesNotContain("<html").contains("id=\"dashboard-sending\"");

        // The sub-account's own owner: its figures, no sub-account section, nothing of the master's.
        String subOwner = jdbc.sql("select email from app_user where account_id = ?").param(UUID.fromString(subId))
                .query(String.class).single();
        jdbc.sql("update app_user set password_hash = ? where account_id = ?").params("{noop}sub-password-1",
                UUID.fromString(subId)).update();
        WebSession subSession = new WebSession(port);
        assertThat(subSession.signIn(subOwner, "sub-password-1")).endsWith("/home");
        Document subPage = Jsoup.parse(subSession.get("/home/sending").body());
        assertThat(subPage.select("tr[data-period=30d] td[data-metric=sent]").attr("data-value")).isEqualTo("6");
        assertThat(subPage.getElementById("dashboard-subaccounts")).isNull();
    }
}
