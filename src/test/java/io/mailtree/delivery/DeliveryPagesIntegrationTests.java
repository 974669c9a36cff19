package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.keys.ApiKeys;
import io.mailtree.keys.IssuedKey;
import io.mailtree.shared.Times;
import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The sending pages over real HTTP: senders and domains added through the forms, the DNS records
 * to publish, the confirmation link, then a message sent through the API seen on the Messages page
 * and with its timeline; tenancy, permissions and translations.
 */
class DeliveryPagesIntegrationTests extends MailtreeTestBase {

    private static final Pattern MESSAGE_ROW = Pattern.compile("<tr class=\"message\" data-id=\"([0-9a-f-]{36})\"");
    private static final Pattern OLDER = Pattern.compile("id=\"older-page\"\\s+href=\"([^\"]+)\"");

    @Autowired
    ApiKeys keys;

    private Master master;
    private WebSession web;

    @BeforeEach
    void signedIn() {
        master = master("pro-1000");
        web = signInAsOwner(master);
    }

    private WebSession collaborator(String permissions) {
        String email = uniqueEmail("collab");
        UUID userId = UUID.randomUUID();
        jdbc.sql("""
                insert into app_user (id, account_id, email, email_key, password_hash, role, permissions,
                    email_verified_at, created_at)
                values (?, ?, ?, ?, '{noop}collaborator-pass', 'COLLABORATOR', '', now(), now())""")
                .params(userId, UUID.fromString(master.id()), email, email.toLowerCase()).update();
        // A collaborator's rights are their grant on the account (membership, ADR 0016), read on every request.
        jdbc.sql("""
                insert into membership (account_id, user_id, permissions, invited_by, created_at, changed_at)
                values (?, ?, ?, 'test', now(), now())""").params(UUID.fromString(master.id()), userId, permissions)
                .update();
        WebSession session = new WebSession(port);
        assertThat(session.signIn(email, "collaborator-pass")).endsWith("/home");
        return session;
    }

    private static String message(String from, String to, String subject) {
        return "{\"from\":{\"email\":\"" + from + "\",\"name\":\"Shop\"},\"to\":[{\"email\":\"" + to
                + "\",\"name\":\"Ann\"}],\"subject\":\"" + subject + "\",\"text\":\"Hello\",\"customId\":\"order-7\"}";
    }

    private JsonNode awaitStatus(Api api, String id, String status) {
        long deadline = System.currentTimeMillis() + 15_000;
        JsonNode detail = null;
        while (System.currentTimeMillis() < deadline) {
            detail = api.get("/api/v1/messages/" + id).json();
            if (detail.get("message").get("status").asString().equals(status)) {
                return detail;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        throw new AssertionError("message " + id + " did not reach " + status + ": " + detail);
    }

    private static List<String> rows(String html) {
        List<String> ids = new ArrayList<>();
        Matcher matcher = MESSAGE_ROW.matcher(html);
        while (matcher.find()) {
            ids.add(matcher.group(1));
        }
        return ids;
    }

    /** A sender added through the page and confirmed by the e-mailed link; answers its address. */
    private String confirmedSender(String domain) {
        String address = "news-" + UUID.randomUUID().toString().substring(0, 6) + "@" + domain;
        web.get("/senders");
        web.post("/senders", Map.of("email", address, "name", "News"));
        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        return address;
    }

    @Test
    @DisplayName("Senders and domains through the pages: DNS records, the link sent again, confirmation, removal")
    void sendersAndDomainsPages() {
        String domain = "pages-" + UUID.randomUUID().toString().substring(0, 6) + ".example.test";
        String page = web.get("/senders").body();
        assertThat(page).contains("id=\"no-senders\"").contains("id=\"no-domains\"").contains("id=\"subnav-messages\"");

        String address = "news@" + domain;
        WebSession.Page added = web.post("/senders", Map.of("email", address, "name", "News"));
        assertThat(added.status()).isEqualTo(302);
        page = web.follow(added).body();
        assertThat(page).contains("The sender " + address + " is added").contains("data-email=\"" + address + "\"")
                .contains("data-state=\"waiting\"").contains("Send the link again");
        awaitMailTo(address, 1);

        WebSession.Page again = web.post("/senders", Map.of("email", address, "name", "News"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).contains("This sender address is already registered.");
        assertThat(web.post("/senders", Map.of("email", "not-an-address", "name", "")).body())
                .contains("Enter a valid e-mail address.").contains("value=\"not-an-address\"");

        long senderId = jdbc.sql("select id from sender where account_id = ? and email = ?")
                .params(UUID.fromString(master.id()), address).query(Long.class).single();
        web.get("/senders");
        page = web.follow(web.post("/senders/" + senderId + "/resend", Map.of())).body();
        assertThat(page).contains("A new confirmation link was e-mailed to " + address);
        String mail = awaitMailTo(address, 2);

        WebSession.Page domainAdded = web.post("/senders/domains", Map.of("domain", domain));
        assertThat(domainAdded.status()).isEqualTo(302);
        assertThat(domainAdded.location()).contains("/senders#domain-");
        page = web.follow(domainAdded).body();
        assertThat(page).contains("The domain " + domain + " is added").contains("data-domain=\"" + domain + "\"")
                .contains("value=\"mt1._domainkey." + domain + "\"").contains("v=DKIM1; k=rsa; p=")
                .contains("v=spf1 include:spf.mailtree.localhost ~all").contains("value=\"_dmarc." + domain + "\"")
                .contains("v=DMARC1; p=none; rua=mailto:dmarc-reports@" + domain)
                .contains("data-purpose=\"DKIM\"").contains("data-purpose=\"SPF\"").contains("data-purpose=\"DMARC\"")
                .contains("data-copy=\"#dns-");
        assertThat(web.post("/senders/domains", Map.of("domain", "-bad-.example")).body())
                .contains("This is not a valid domain name.");
        assertThat(web.post("/senders/domains", Map.of("domain", domain)).body())
                .contains("This domain is already registered.");

        assertThat(new WebSession(port).confirm(linkIn(mail, "/senders/confirm")).body()).contains("id=\"sender-confirmed\"");
        page = web.get("/senders").body();
        assertThat(page).contains("data-state=\"confirmed\"").doesNotContain("Send the link again");

        assertThat(web.postRaw("/senders/" + senderId + "/remove", Map.of("_csrf", "forged")).status()).isEqualTo(403);
        page = web.follow(web.post("/senders/" + senderId + "/remove", Map.of())).body();
        assertThat(page).contains("The sender " + address + " is removed").contains("id=\"no-senders\"");
        long domainId = jdbc.sql("select id from sending_domain where account_id = ? and domain = ?")
                .params(UUID.fromString(master.id()), domain).query(Long.class).single();
        page = web.follow(web.post("/senders/domains/" + domainId + "/remove", Map.of())).body();
        assertThat(page).contains("The domain " + domain + " is removed").contains("id=\"no-domains\"");

        WebSession intruder = signInAsOwner(master("pro-1000"));
        intruder.get("/senders");
        assertThat(intruder.post("/senders/domains/" + domainId + "/remove", Map.of()).status()).isEqualTo(404);
        assertThat(intruder.post("/senders/999999999/resend", Map.of()).status()).isEqualTo(404);
        assertThat(intruder.post("/senders/not-an-id/remove", Map.of()).status()).isEqualTo(404);
    }

    @Test
    @DisplayName("A message sent through the API is on the Messages page as delivered, with its timeline; the day filter reads the reader's days")
    void messagesPages() {
        String from = confirmedSender("msgpages.example.test");
        String to = uniqueEmail("reader");
        String id = master.api().post("/api/v1/send", "{\"messages\":[" + message(from, to, "Order 7") + "]}").json()
                .get("results").get(0).get("id").asString();
        awaitStatus(master.api(), id, "DELIVERED");

        String list = web.get("/messages").body();
        assertThat(list).contains("id=\"nav-messages\"").contains("data-id=\"" + id + "\" data-status=\"DELIVERED\"")
                .contains("Order 7").contains(to).contains(from).contains("/messages/" + id)
                .doesNotContain("id=\"older-page\"");
        assertThat(rows(web.get("/messages?recipient=" + to).body())).containsExactly(id);
        assertThat(rows(web.get("/messages?status=DELIVERED").body())).containsExactly(id);
        assertThat(rows(web.get("/messages?status=BOUNCED").body())).isEmpty();
        assertThat(web.get("/messages?status=BOUNCED").body()).contains("id=\"no-messages\"");
        String today = Instant.now().toString().substring(0, 10);
        String tomorrow = Instant.now().plus(Duration.ofDays(1)).toString().substring(0, 10);
        assertThat(rows(web.get("/messages?from=" + today + "&to=" + today).body())).containsExactly(id);
        assertThat(rows(web.get("/messages?from=" + tomorrow).body())).isEmpty();
        assertThat(web.get("/messages?from=yesterday").body()).contains("This date or time cannot be read.");

        String detail = web.get("/messages/" + id).body();
        assertThat(detail).contains("id=\"message-status\"").contains("data-status=\"DELIVERED\"").contains("Order 7")
                .contains("order-7").contains(to);
        assertThat(detail.indexOf("data-type=\"ACCEPTED\"")).isPositive()
                .isLessThan(detail.indexOf("data-type=\"QUEUED\""));
        assertThat(detail.indexOf("data-type=\"QUEUED\"")).isLessThan(detail.indexOf("data-type=\"DELIVERED\""));
        assertThat(detail).contains("data-recipient=\"" + to + "\"").contains("For 1 recipient");

        String french = web.get("/messages/" + id + "?lang=fr").body();
        assertThat(french).contains("Chronologie").contains("Remis").contains("Retour aux messages");
        assertThat(web.get("/messages?lang=ja").body()).contains("配信済み").contains("メッセージ");
        assertThat(web.get("/senders?lang=ja").body()).contains("送信者とドメイン");
        web.get("/messages?lang=en");

        WebSession other = signInAsOwner(master("pro-1000"));
        assertThat(other.get("/messages/" + id).status()).isEqualTo(404);
        assertThat(other.get("/messages").body()).doesNotContain(id);
        assertThat(web.get("/messages/not-a-uuid").status()).isEqualTo(404);
        assertThat(web.get("/messages/" + UUID.randomUUID()).status()).isEqualTo(404);

        // The day filter reads the reader's calendar days: 00:30 on Sunday 25 October 2026 in Paris is
        // still the 24th in UTC, and that Sunday (the clocks go back) ends at 23:00 UTC.
        jdbc.sql("update message set created_at = ? where public_id = ?")
                .params(io.mailtree.shared.Times.sql(Instant.parse("2026-10-24T22:30:00Z")), UUID.fromString(id)).update();
        WebSession paris = signInAsOwner(master).cookie("mt_tz", "Europe%2FParis");
        assertThat(rows(paris.get("/messages?from=2026-10-25&to=2026-10-25").body())).containsExactly(id);
        assertThat(rows(paris.get("/messages?from=2026-10-24&to=2026-10-24").body())).isEmpty();
        assertThat(rows(web.get("/messages?from=2026-10-24&to=2026-10-24").body())).containsExactly(id);
        assertThat(rows(web.get("/messages?from=2026-10-25&to=2026-10-25").body())).isEmpty();
    }

    @Test
    @DisplayName("The Messages page pages back in time with Older: no message twice, none skipped")
    void olderPages() {
        UUID account = UUID.fromString(master.id());
        Instant start = Instant.now().minus(Duration.ofHours(1));
        Set<String> inserted = new HashSet<>();
        // oldest first, as the queue writes them: the page pages by time (see MessagePagesController)
        for (int i = 0; i < 53; i++) {
            UUID publicId = UUID.randomUUID();
            inserted.add(publicId.toString());
            Instant at = start.plusSeconds(i);
            jdbc.sql("""
                    insert into message (public_id, account_id, status, from_email, recipients, subject,
                        message_id, attempts, next_attempt_at, created_at, updated_at, delivered_at)
                    values (?, ?, 'DELIVERED', 'old@shop.example.test', ?, ?, ?, 1, ?, ?, ?, ?)""")
                    .params(publicId, account, "r" + i + "@example.test", "Old " + i,
                            "<" + publicId + "@shop.example.test>",
                            Times.sql(at), Times.sql(at), Times.sql(at), Times.sql(at))
                    .update();
        }
        String first = web.get("/messages").body();
        List<String> firstRows = rows(first);
        assertThat(firstRows).hasSize(50);
        Matcher older = OLDER.matcher(first);
        assertThat(older.find()).isTrue();
        String second = web.get(older.group(1).replace("&amp;", "&")).body();
        List<String> secondRows = rows(second);
        assertThat(secondRows).hasSize(3);
        assertThat(second).contains("id=\"newest-page\"").doesNotContain("id=\"older-page\"");
        Set<String> seen = new HashSet<>(firstRows);
        seen.addAll(secondRows);
        assertThat(seen).isEqualTo(inserted);
        assertThat(web.get("/messages?before=garbage").status()).isEqualTo(200);
    }

    @Test
    @DisplayName("D-23: without STATISTICS the Messages pages answer 403; without ACCOUNT_SETTINGS the senders page does")
    void permissions() {
        WebSession contactsOnly = collaborator("CONTACTS");
        String home = contactsOnly.get("/home").body();
        assertThat(home).doesNotContain("nav-messages").doesNotContain("nav-senders");
        assertThat(contactsOnly.get("/messages").status()).isEqualTo(403);
        assertThat(contactsOnly.get("/messages/" + UUID.randomUUID()).status()).isEqualTo(403);
        assertThat(contactsOnly.get("/senders").status()).isEqualTo(403);
        contactsOnly.get("/home");
        assertThat(contactsOnly.post("/senders", Map.of("email", uniqueEmail("x"))).status()).isEqualTo(403);
        assertThat(contactsOnly.post("/senders/domains", Map.of("domain", "x.example.test")).status()).isEqualTo(403);

        WebSession settingsOnly = collaborator("ACCOUNT_SETTINGS");
        assertThat(settingsOnly.get("/home").body()).contains("id=\"nav-senders\"").doesNotContain("nav-messages");
        assertThat(settingsOnly.get("/senders").body()).contains("id=\"subnav-senders\"").doesNotContain("subnav-messages");
        assertThat(settingsOnly.get("/messages").status()).isEqualTo(403);

        WebSession statisticsOnly = collaborator("STATISTICS");
        assertThat(statisticsOnly.get("/messages").body()).contains("id=\"nav-messages\"").doesNotContain("subnav-senders");
        assertThat(statisticsOnly.get("/senders").status()).isEqualTo(403);
    }

    private long count(JsonNode report, String hour, String type) {
        for (JsonNode entry : report.get("hours")) {
            if (Instant.parse(entry.get("hour").asString()).equals(Instant.parse(hour))) {
                return entry.get("counts").get(type).asLong();
            }
        }
        throw new AssertionError("no hour " + hour + " in " + report);
    }

    @Test
    @DisplayName("D-30 on the page: the Ed25519 second signature is turned on with its DNS record, and off again")
    void ed25519OnThePage() {
        String domain = "ed-" + UUID.randomUUID().toString().substring(0, 6) + ".example.test";
        web.get("/senders");
        WebSession.Page added = web.post("/senders/domains", Map.of("domain", domain));
        String id = added.location().replaceFirst(".*#domain-", "");
        web.get("/senders");
        String page = web.follow(web.post("/senders/domains/" + id + "/ed25519", Map.of("on", "true"))).body();
        assertThat(page).contains("now carries a second, Ed25519 signature").contains("value=\"mt2._domainkey." + domain + "\"")
                .contains("v=DKIM1; k=ed25519; p=").contains("Remove the Ed25519 signature");
        web.get("/senders");
        page = web.follow(web.post("/senders/domains/" + id + "/ed25519", Map.of("on", "false"))).body();
        assertThat(page).contains("is signed with RSA only").doesNotContain("mt2._domainkey." + domain);
        assertThat(web.get("/senders?lang=ja").body()).contains("Ed25519 署名を追加");
        web.get("/senders");
        assertThat(web.post("/senders/domains/999999999/ed25519", Map.of("on", "true")).status()).isEqualTo(404);
    }

    @Test
    @DisplayName("Hourly statistics per account and per key: the API counts each hour, the page charts it in en/fr/ja")
    void hourlyStatistics() {
        String from = confirmedSender("stats-" + UUID.randomUUID().toString().substring(0, 6) + ".example.test");
        IssuedKey second = keys.issue(id(master.id()), "Shop", io.mailtree.keys.KeyLabel.MARKETING, false);
        Api secondApi = Api.withKey(port, second.key().publicKey(), second.secret());

        Instant firstHour = clock().instant().truncatedTo(ChronoUnit.HOURS);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(master.api().post("/api/v1/send", "{\"messages\":[" + message(from, uniqueEmail("a"), "A" + i) + "]}")
                    .json().get("results").get(0).get("id").asString());
        }
        for (int i = 0; i < 2; i++) {
            ids.add(secondApi.post("/api/v1/send", "{\"messages\":[" + message(from, uniqueEmail("b"), "B" + i) + "]}")
                    .json().get("results").get(0).get("id").asString());
        }
        ids.forEach(id -> awaitStatus(master.api(), id, "DELIVERED"));
        Assumptions.assumeTrue(clock().instant().truncatedTo(ChronoUnit.HOURS).equals(firstHour),
                "the wall clock crossed an hour while the first messages were sent");

        advanceClock(Duration.ofHours(1));
        String two = "{\"from\":{\"email\":\"" + from + "\"},\"to\":[{\"email\":\"" + uniqueEmail("c")
                + "\"}],\"cc\":[{\"email\":\"" + uniqueEmail("d") + "\"}],\"subject\":\"Two\",\"text\":\"Hi\"}";
        awaitStatus(master.api(), master.api().post("/api/v1/send", "{\"messages\":[" + two + "]}").json()
                .get("results").get(0).get("id").asString(), "DELIVERED");
        String secondHour = firstHour.plus(1, ChronoUnit.HOURS).toString();

        String range = "?from=" + firstHour.minus(1, ChronoUnit.HOURS) + "&to=" + firstHour.plus(2, ChronoUnit.HOURS);
        JsonNode all = master.api().get("/api/v1/statistics/hourly" + range).json();
        assertThat(all.get("hours").size()).as("every hour of the range, gaps included").isEqualTo(3);
        assertThat(count(all, firstHour.minus(1, ChronoUnit.HOURS).toString(), "ACCEPTED")).isZero();
        assertThat(count(all, firstHour.toString(), "ACCEPTED")).isEqualTo(5);
        assertThat(count(all, firstHour.toString(), "DELIVERED")).isEqualTo(5);
        assertThat(count(all, secondHour, "ACCEPTED")).as("messages").isEqualTo(1);
        assertThat(count(all, secondHour, "DELIVERED")).as("recipients").isEqualTo(2);
        assertThat(all.get("totals").get("DELIVERED").asLong()).isEqualTo(7);
        assertThat(all.get("totals").get("BOUNCED").asLong()).isZero();

        JsonNode byKey = master.api().get("/api/v1/statistics/hourly" + range + "&apiKeyId=" + second.key().id().value())
                .json();
        assertThat(byKey.get("totals").get("ACCEPTED").asLong()).isEqualTo(2);
        assertThat(count(byKey, firstHour.toString(), "DELIVERED")).isEqualTo(2);
        assertThat(count(byKey, secondHour, "DELIVERED")).isZero();

        // Tenancy: another account sees none of it and cannot name this account's key.
        Master other = master("pro-1000");
        assertThat(other.api().get("/api/v1/statistics/hourly" + range).json().get("totals").get("ACCEPTED").asLong())
                .isZero();
        Api.Response foreignKey = other.api().get("/api/v1/statistics/hourly" + range + "&apiKeyId="
                + second.key().id().value());
        assertThat(foreignKey.status()).isEqualTo(404);
        assertThat(foreignKey.code()).isEqualTo("api_key_not_found");
        // Bad ranges are refused with their code.
        assertThat(master.api().get("/api/v1/statistics/hourly?from=2026-11-25T10:00:00Z&to=2026-11-25T09:00:00Z")
                .json().get("code").asString()).isEqualTo("invalid_range");
        assertThat(master.api().get("/api/v1/statistics/hourly?from=2026-01-01T00:00:00Z&to=2026-11-25T00:00:00Z")
                .json().get("code").asString()).isEqualTo("range_too_long");
        Api.Response unreadable = master.api().get("/api/v1/statistics/hourly?from=yesterday");
        assertThat(unreadable.status()).isEqualTo(400);
        assertThat(unreadable.code()).isEqualTo("invalid_time");

        String page = web.get("/statistics").body();
        assertThat(page).contains("id=\"outcome-chart\"").contains("data-bars=\"24\"").contains("id=\"subnav-statistics\"")
                .contains("data-type=\"DELIVERED\" data-count=\"2\"").doesNotContain("id=\"no-statistics\"");
        assertThat(page).containsPattern("<td class=\"num\" data-type=\"DELIVERED\">7</td>|data-type=\"DELIVERED\">7<");
        String weekByKey = web.get("/statistics?range=7d&key=" + second.key().id().value()).body();
        assertThat(weekByKey).contains("data-bars=\"168\"").containsPattern("data-type=\"ACCEPTED\">2<");
        assertThat(web.get("/statistics?range=30d&lang=fr").body()).contains("Statistiques").contains("data-bars=\"30\"");
        assertThat(web.get("/statistics?lang=ja").body()).contains("統計").contains("配信");
        assertThat(web.get("/statistics?range=bogus&key=not-a-key&lang=en").status()).isEqualTo(200);
        assertThat(collaborator("CONTACTS").get("/statistics").status()).isEqualTo(403);
    }
}
