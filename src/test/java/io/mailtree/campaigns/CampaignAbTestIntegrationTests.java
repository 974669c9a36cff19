package io.mailtree.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.contacts.ContactLists;
import io.mailtree.contacts.Contacts;
import io.mailtree.content.AbTest;
import io.mailtree.content.EmailDraft;
import io.mailtree.content.Emails;
import io.mailtree.contacts.TestRecipients;
import io.mailtree.shared.AccountId;
import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A/B tests and test sends of campaigns (ADR 0031) on PostgreSQL, with GreenMail as the relay: the
 * test share gets the variants (each contact always the same one), opens through the real open
 * endpoint move the per-variant counters, the judge runs when the injected clock passes the wait, the
 * rest of the list gets the winner, and the report names it with the figures that made it win; a tie
 * goes to variant A; a paused campaign is not judged. A test send arrives marked and counts nothing.
 */
@TestPropertySource(properties = {"mailtree.campaigns.fan-out-every=0", "mailtree.campaigns.batch-size=3"})
class CampaignAbTestIntegrationTests extends MailtreeTestBase {

    private static final String PERSON = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

    @Autowired
    Campaigns campaigns;
    @Autowired
    CampaignFanOut fanOut;
    @Autowired
    Contacts contacts;
    @Autowired
    ContactLists lists;
    @Autowired
    Emails emails;
    @Autowired
    EngagementBuffer buffer;
    @Autowired
    TestRecipients testRecipients;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private record Sender(Master master, AccountId account, String from) {
    }

    private Sender sender() {
        Master master = master("pro-1000");
        String domain = "ab" + UUID.randomUUID().toString().substring(0, 8) + ".example.test";
        verifiedDomain(master, domain);
        String address = "news@" + domain;
        master.api().post("/api/v1/senders", "{\"email\":\"" + address + "\",\"name\":\"News\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        return new Sender(master, id(master.id()), address);
    }

    /** Who is where: the test share by variant, and the rest. */
    private record Split(long campaignId, List<String> a, List<String> b, List<String> rest) {
    }

    /**
     * An A/B campaign (two subject lines, 50 % test share, wait 4 h) to a list filled after the campaign
     * exists, contact by contact until the test share holds both variants and the rest has two: the
     * assignment is a function of (campaign, contact), so the test knows it in advance.
     */
    private Split abCampaign(Sender sender, String rule) {
        long listId = lists.create(sender.account(), "AB " + UUID.randomUUID().toString().substring(0, 6)).id();
        long emailId = emails.create(sender.account(), new EmailDraft("AB", "AB_TEST", "Subject A", "News", sender.from(),
                null, null, "<html><body><p>Hello {{name}}</p><p><a href=\"https://shop.example.test/ab\">Shop</a></p></body></html>",
                null, new AbTest(List.of(new AbTest.Variant("Subject A", null, null), new AbTest.Variant("Subject B", null, null)),
                        50, rule, 4), List.of(listId))).id();
        // Scheduled far ahead while the list fills (another test context's fan-out shares this database),
        // then made due.
        Campaign campaign = campaigns.create(sender.account(), new Campaigns.CampaignRequest(emailId, "AB "
                + UUID.randomUUID().toString().substring(0, 4), null, "2099-01-01T09:00", "UTC"));
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < 80 && (a.isEmpty() || b.isEmpty() || rest.size() < 2); i++) {
            String address = uniqueEmail("ab" + i);
            long contactId = contacts.create(sender.account(), address, "Reader " + i, null, Map.of()).id();
            lists.addContactIds(sender.account(), listId, List.of(contactId));
            if (!CampaignAbTests.inTestShare(campaign.id(), contactId, 50)) {
                rest.add(address);
            } else if (CampaignAbTests.variantOf(campaign.id(), contactId, 2) == 0) {
                a.add(address);
            } else {
                b.add(address);
            }
        }
        assertThat(a).isNotEmpty();
        assertThat(b).isNotEmpty();
        assertThat(rest).hasSizeGreaterThanOrEqualTo(2);
        jdbc.sql("update campaign set scheduled_at = scheduled_at - interval '100 years' where id = ?").param(campaign.id())
                .update();
        return new Split(campaign.id(), a, b, rest);
    }

    private static MimeMessage received(String address) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            MimeMessage found = receivedNow(address);
            if (found != null) {
                return found;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no mail to " + address);
    }

    private static MimeMessage receivedNow(String address) {
        for (MimeMessage m : TestInfrastructure.SMTP.getReceivedMessages()) {
            try {
                if (Arrays.stream(m.getAllRecipients()).anyMatch(r -> ((InternetAddress) r).getAddress().equalsIgnoreCase(address))) {
                    return m;
                }
            } catch (Exception unreadable) {
                // another test's odd message
            }
        }
        return null;
    }

    private static String pixelOf(MimeMessage message) throws Exception {
        String raw = new String(message.getRawInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        // The HTML part may be quoted-printable: undo soft line breaks and =3D before matching.
        String html = raw.replaceAll("=\r?\n", "").replace("=3D", "=");
        Matcher pixel = Pattern.compile("/t/o/[A-Za-z0-9_.\\-]+").matcher(html);
        assertThat(pixel.find()).as("an open pixel").isTrue();
        return pixel.group();
    }

    private void awaitDelivered(long campaignId, int count) {
        UUID bulk = jdbc.sql("select bulk_id from campaign where id = ?").param(campaignId).query(UUID.class).single();
        Eventually.afterConsumers(() -> assertThat(jdbc.sql("select count(*) from message where bulk_id = ? and status = 'DELIVERED'")
                .param(bulk).query(Integer.class).single()).isEqualTo(count));
        // Delivered an hour ago: a later open is a person's, not a privacy proxy's prefetch.
        jdbc.sql("update message set delivered_at = delivered_at - interval '1 hour' where bulk_id = ?").param(bulk).update();
    }

    /** Runs the fan-out until the campaign is in {@code phase} (another node may hold a batch meanwhile). */
    private void runUntil(long campaignId, String phase) throws InterruptedException {
        for (int i = 0; i < 100 && !phase.equals(phase(campaignId)); i++) {
            fanOut.runOnce();
            if (!phase.equals(phase(campaignId))) {
                Thread.sleep(100);
            }
        }
        assertThat(phase(campaignId)).isEqualTo(phase);
    }

    private String phase(long campaignId) {
        return jdbc.sql("select ab_phase from campaign where id = ?").param(campaignId).query(String.class).single();
    }

    private JsonNode report(Api api, long campaignId) {
        Api.Response answer = api.get("/api/v1/campaigns/" + campaignId + "/report");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return answer.json();
    }

    private static JsonNode variant(JsonNode report, String letter) {
        for (JsonNode v : report.get("abTest").get("variants")) {
            if (v.get("variant").asString().equals(letter)) {
                return v;
            }
        }
        throw new AssertionError("no variant " + letter);
    }

    @Test
    @DisplayName("the test share gets A and B, opens of B through the open endpoint make B win when the clock passes the wait, the rest gets B, and the report says why")
    void abWinnerByOpensGoesToTheRest() throws Exception {
        Sender sender = sender();
        Split split = abCampaign(sender, "OPENS");
        runUntil(split.campaignId(), "WAITING");
        for (String address : split.a()) {
            assertThat(received(address).getSubject()).isEqualTo("Subject A");
        }
        for (String address : split.b()) {
            assertThat(received(address).getSubject()).isEqualTo("Subject B");
        }
        int tested = split.a().size() + split.b().size();
        awaitDelivered(split.campaignId(), tested);
        for (String address : split.rest()) {
            assertThat(receivedNow(address)).as("the rest waits for the winner").isNull();
        }
        // Every B reader opens (one twice); no A reader does.
        for (String address : split.b()) {
            HttpResponse<byte[]> open = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                    + pixelOf(received(address)))).header("User-Agent", PERSON).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(open.statusCode()).isEqualTo(200);
        }
        http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + pixelOf(received(split.b().get(0)))))
                .header("User-Agent", PERSON).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        buffer.flush();
        Eventually.afterConsumers(() -> {
            JsonNode b = variant(report(sender.master().api(), split.campaignId()), "B");
            assertThat(b.get("opensUnique").asLong()).isEqualTo(split.b().size());
            assertThat(b.get("opensTotal").asLong()).isEqualTo(split.b().size() + 1);
        });
        JsonNode waiting = report(sender.master().api(), split.campaignId());
        assertThat(waiting.get("abTest").get("phase").asString()).isEqualTo("WAITING");
        assertThat(waiting.get("abTest").get("winner").isNull()).isTrue();
        assertThat(variant(waiting, "B").get("opensTotal").asLong()).isEqualTo(split.b().size() + 1);
        assertThat(variant(waiting, "A").get("sent").asLong()).isEqualTo(split.a().size());
        assertThat(variant(waiting, "A").get("opensUnique").asLong()).isZero();
        WebSession.Page waitingPage = signInAsOwner(sender.master()).get("/campaigns/" + split.campaignId() + "/report");
        assertThat(waitingPage.status()).isEqualTo(200);
        assertThat(waitingPage.body()).contains("The test share is out; the winner is chosen on").contains("id=\"ab-variants\"");

        fanOut.runOnce(); // before the wait has passed: no judgement, nothing more sent
        assertThat(phase(split.campaignId())).isEqualTo("WAITING");

        advanceClock(Duration.ofHours(4).plusMinutes(1));
        runUntil(split.campaignId(), "REST");
        for (String address : split.rest()) {
            assertThat(received(address).getSubject()).as("the rest gets the winner").isEqualTo("Subject B");
        }
        for (String address : split.a()) {
            long mails = Arrays.stream(TestInfrastructure.SMTP.getReceivedMessages()).filter(m -> {
                try {
                    return ((InternetAddress) m.getAllRecipients()[0]).getAddress().equalsIgnoreCase(address);
                } catch (Exception e) {
                    return false;
                }
            }).count();
            assertThat(mails).as("the test share is not mailed again").isEqualTo(1);
        }
        Eventually.afterConsumers(() -> assertThat(campaigns.get(sender.account(), split.campaignId()).status())
                .isEqualTo(CampaignStatus.SENT));

        JsonNode report = report(sender.master().api(), split.campaignId());
        JsonNode ab = report.get("abTest");
        assertThat(ab.get("winner").asString()).isEqualTo("B");
        assertThat(ab.get("reason").asString()).isEqualTo("highest_rate");
        assertThat(ab.get("rule").asString()).isEqualTo("OPENS");
        assertThat(variant(report, "B").get("winner").asBoolean()).isTrue();
        assertThat(variant(report, "B").get("judgedSent").asLong()).isEqualTo(split.b().size());
        assertThat(variant(report, "B").get("judgedCount").asLong()).isEqualTo(split.b().size());
        assertThat(variant(report, "B").get("judgedRate").asDouble()).isEqualTo(100.0);
        assertThat(variant(report, "A").get("judgedCount").asLong()).isZero();
        assertThat(variant(report, "A").get("judgedRate").asDouble()).isZero();

        WebSession owner = signInAsOwner(sender.master());
        String figures = split.b().size() + " of " + split.b().size();
        for (var language : Map.of("en", "Variant B won: " + figures.replace(" of ", " of its ") + " test messages were opened (100",
                "fr", "La variante B a gagné", "ja", "バリエーション B の勝ち").entrySet()) {
            WebSession.Page page = owner.get("/campaigns/" + split.campaignId() + "/report?lang=" + language.getKey());
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains(language.getValue()).contains("id=\"ab-variants\"")
                    .contains("data-variant=\"B\" data-winner=\"true\"");
        }
        WebSession.Page csv = owner.get("/campaigns/" + split.campaignId() + "/report.csv");
        assertThat(csv.body()).contains("variant,subject,sent,delivered,opens_unique")
                .contains("B,\"Subject B\"," + split.b().size() + ",").contains(",100.0,true,OPENS,highest_rate");
        Master stranger = master("pro-1000");
        assertThat(stranger.api().get("/api/v1/campaigns/" + split.campaignId() + "/report").status()).isEqualTo(404);
    }

    @Test
    @DisplayName("a paused A/B campaign is not judged when its wait passes; resumed, the tie (no opens either side) goes to variant A, as documented")
    void aTieGoesToVariantAAndAPausedTestWaits() throws Exception {
        Sender sender = sender();
        Split split = abCampaign(sender, "CLICKS");
        runUntil(split.campaignId(), "WAITING");
        awaitDelivered(split.campaignId(), split.a().size() + split.b().size());
        campaigns.pause(sender.account(), split.campaignId());
        advanceClock(Duration.ofHours(5));
        fanOut.runOnce();
        assertThat(phase(split.campaignId())).as("a paused test is not judged").isEqualTo("WAITING");
        campaigns.resume(sender.account(), split.campaignId());
        runUntil(split.campaignId(), "REST");
        for (String address : split.rest()) {
            assertThat(received(address).getSubject()).isEqualTo("Subject A");
        }
        JsonNode ab = report(sender.master().api(), split.campaignId()).get("abTest");
        assertThat(ab.get("winner").asString()).isEqualTo("A");
        assertThat(ab.get("reason").asString()).isEqualTo("tie_first_variant");
        WebSession.Page page = signInAsOwner(sender.master()).get("/campaigns/" + split.campaignId() + "/report");
        assertThat(page.body()).contains("Variant A won on a tie");
    }

    @Test
    @DisplayName("a test send reaches the test recipients and the typed addresses marked [Test], counts nothing in the report; bad input is refused with its code; another account's campaign answers 404")
    void testSendArrivesMarkedAndCountsNothing() throws Exception {
        Sender sender = sender();
        long listId = lists.create(sender.account(), "T " + UUID.randomUUID().toString().substring(0, 6)).id();
        lists.addContactIds(sender.account(), listId, List.of(contacts.create(sender.account(), uniqueEmail("reader"),
                "Reader", null, Map.of()).id()));
        long emailId = emails.create(sender.account(), new EmailDraft("T", "REGULAR", "Hello news", "News",
                sender.from(), null, null, "<html><body><p>Hi</p><a href=\"{{unsubscribe_url}}\">Leave</a></body></html>",
                null, null, List.of(listId))).id();
        Campaign campaign = campaigns.create(sender.account(), new Campaigns.CampaignRequest(emailId, "Later", null,
                "2099-01-01T09:00", "Europe/Paris"));
        String tester = uniqueEmail("tester");
        testRecipients.add(sender.account(), tester, "Tester");
        String typed = uniqueEmail("typed");
        Api api = sender.master().api();

        Api.Response sent = api.post("/api/v1/campaigns/" + campaign.id() + "/test",
                "{\"addresses\":[\"" + typed + "\"],\"testRecipients\":true}");
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        assertThat(sent.json().get("messages").asInt()).isEqualTo(2);
        for (String address : List.of(typed, tester)) {
            MimeMessage mail = received(address);
            assertThat(mail.getSubject()).startsWith("[Test] Hello");
            assertThat(mail.getHeader("List-Unsubscribe")).as("no one-click unsubscribe in a test").isNull();
            String raw = new String(mail.getRawInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(raw).doesNotContain("/t/o/");
        }
        Eventually.afterConsumers(() -> assertThat(jdbc.sql("select count(*) from message where recipients in (?, ?) and status = 'DELIVERED'")
                .params(typed, tester).query(Integer.class).single()).isEqualTo(2));
        JsonNode counts = report(api, campaign.id()).get("counts");
        assertThat(counts.get("sent").asLong()).isZero();
        assertThat(counts.get("delivered").asLong()).isZero();
        assertThat(campaigns.get(sender.account(), campaign.id()).status()).isEqualTo(CampaignStatus.SCHEDULED);

        Api.Response invalid = api.post("/api/v1/campaigns/" + campaign.id() + "/test", "{\"addresses\":[\"not-an-address\"]}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.code()).isEqualTo("invalid_test_address");
        StringBuilder eleven = new StringBuilder();
        for (int i = 0; i < 11; i++) {
            eleven.append(i == 0 ? "" : ",").append("\"x").append(i).append("@example.test\"");
        }
        Api.Response tooMany = api.post("/api/v1/campaigns/" + campaign.id() + "/test", "{\"addresses\":[" + eleven + "]}");
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.code()).isEqualTo("too_many_test_addresses");

        Master stranger = master("pro-1000");
        Api.Response foreign = stranger.api().post("/api/v1/campaigns/" + campaign.id() + "/test",
                "{\"addresses\":[\"" + uniqueEmail("thief") + "\"]}");
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.code()).isEqualTo("campaign_not_found");

        // The button of the campaigns page: the typed address gets it, the page says so; a bad one is named.
        WebSession owner = signInAsOwner(sender.master());
        String fromPage = uniqueEmail("page");
        assertThat(owner.get("/campaigns").body()).contains("campaign-test-send");
        WebSession.Page done = owner.follow(owner.post("/campaigns/" + campaign.id() + "/test", Map.of("addresses", fromPage)));
        assertThat(done.body()).contains("Test sent to " + fromPage).contains("campaign-test-send");
        assertThat(received(fromPage).getSubject()).startsWith("[Test]");
        owner.get("/campaigns?lang=fr");
        WebSession.Page refused = owner.follow(owner.post("/campaigns/" + campaign.id() + "/test",
                Map.of("addresses", "nobody")));
        assertThat(refused.body()).contains("Ce n’est pas une adresse e-mail : nobody");
        WebSession strangerSession = signInAsOwner(stranger);
        strangerSession.get("/campaigns");
        assertThat(strangerSession.post("/campaigns/" + campaign.id() + "/test", Map.of("addresses", fromPage))
                .status()).isEqualTo(404);
    }
}
