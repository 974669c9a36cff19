package io.mailtree.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.Times;
import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Tracking on the embedded H2 default (ADR 0027): an open and a click of a campaign's recipient go
 * through the buffer into the outcome stream (H2's append lock), and the report's consumer counts
 * them. The campaign's rows are written directly: sending is proven on PostgreSQL in
 * {@link CampaignTrackingIntegrationTests}; this proves the SQL of the tracking path on H2.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "mailtree.data-dir=target/h2-tracking-it-${random.uuid}", "mailtree.operator.token=h2-tracking-token",
    "mailtree.submission-port=0", "mailtree.inbound-port=0", "mailtree.campaigns.fan-out-every=0"})
class H2CampaignTrackingIntegrationTests {

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    TrackingLinks links;
    @Autowired
    Tracking tracking;
    @Autowired
    EngagementBuffer buffer;

    @Test
    void anOpenAndAClickAreRecordedAndCountedOnH2() {
        Api.Response created = Api.operator(port, "h2-tracking-token").post("/api/platform/v1/masters",
                "{\"name\":\"H2 tracking\",\"ownerEmail\":\"h2-tracking-" + UUID.randomUUID().toString().substring(0, 8)
                        + "@example.test\",\"plan\":\"pro-1000\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        AccountId account = new AccountId(UUID.fromString(created.json().get("master").get("id").asString()));
        Instant now = Instant.now();
        UUID bulk = UUID.randomUUID();
        jdbc.sql("""
                insert into campaign (account_id, email_id, name, status, list_ids, scheduled_at, time_zone, subject,
                    from_email, bulk_id, created_at, updated_at)
                values (?, 1, 'H2', 'SENT', '1', ?, 'UTC', 'Hi', 'news@example.test', ?, ?, ?)""")
                .params(account.value(), Times.sql(now), bulk, Times.sql(now), Times.sql(now)).update();
        long campaign = jdbc.sql("select id from campaign where bulk_id = ?").param(bulk).query(Long.class).single();
        jdbc.sql("insert into campaign_link (campaign_id, link_index, account_id, url, url_hash) values (?, 0, ?, ?, ?)")
                .params(campaign, account.value(), "https://shop.example.test/", CampaignLinks.hash("https://shop.example.test/"))
                .update();
        UUID message = UUID.randomUUID();
        jdbc.sql("""
                insert into message (public_id, account_id, status, from_email, recipients, message_id, next_attempt_at,
                    created_at, updated_at, delivered_at, bulk_id)
                values (?, ?, 'DELIVERED', 'news@example.test', 'ann@example.test', '<h2@example.test>', ?, ?, ?, ?, ?)""")
                .params(message, account.value(), Times.sql(now), Times.sql(now), Times.sql(now),
                        Times.sql(now.minusSeconds(3600)), bulk).update();
        jdbc.sql("insert into campaign_recipient (campaign_id, contact_id, account_id, message_id) values (?, 7, ?, ?)")
                .params(campaign, account.value(), message).update();

        String open = links.openUrl(account, 7, campaign);
        String click = links.clickUrl(account, 7, campaign, new CampaignLinks.Link(0, "https://shop.example.test/",
                CampaignLinks.hash("https://shop.example.test/")));
        String person = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0";
        assertThat(tracking.open(open.substring(open.indexOf("/t/o/") + 5), person)).isTrue();
        assertThat(tracking.open(open.substring(open.indexOf("/t/o/") + 5), "Mozilla/5.0")).isTrue();
        assertThat(tracking.click(click.substring(click.indexOf("/t/c/") + 5), person)).hasValue("https://shop.example.test/");
        buffer.flush();
        assertThat(jdbc.sql("select count(*) from message_event where event_type in ('OPENED', 'CLICKED')")
                .query(Integer.class).single()).isEqualTo(3);

        Eventually.afterConsumers(() -> {
            var counts = jdbc.sql("select opens_total, machine_opens_total, clicks_unique from campaign_report where campaign_id = ?")
                    .param(campaign).query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).optional();
            assertThat(counts).isPresent();
            assertThat(counts.get()).containsExactly(1, 1, 1);
        });
    }
}
