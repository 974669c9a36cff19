package io.mailtree.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.access.SignedTokens;
import io.mailtree.contacts.ContactLists;
import io.mailtree.contacts.Contacts;
import io.mailtree.content.EmailDraft;
import io.mailtree.content.Emails;
import io.mailtree.shared.AccountId;
import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import io.mailtree.tracking.WebhookReceiver;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tracking and reports of campaign mail (ADR 0027) on PostgreSQL, with GreenMail as the relay and a
 * real HTTP endpoint for the webhooks: the open pixel and click links that the mail carries, refused
 * when forged, never an open redirect; opens and clicks counted once per recipient and in total,
 * machine opens apart; the report's numbers equal to the webhook events the account received; the
 * counters unchanged by a replay of the stream; the master's view across sub-accounts (D-25) and the
 * 404 for a sub-account that asks for its master's or a sibling's report.
 */
@TestPropertySource(properties = {"mailtree.campaigns.fan-out-every=0", "mailtree.campaigns.batch-size=3",
        "mailtree.webhooks.allow-private-networks=127.0.0.0/8", "mailtree.webhooks.poll=100ms",
        "mailtree.webhooks.retry-base=1s"})
class CampaignTrackingIntegrationTests extends MailtreeTestBase {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PERSON = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
    private static final String APPLE_PROXY = "Mozilla/5.0";
    private static final String SHOP = "https://shop.example.test/spring?a=1&b=2";
    private static final String BLOG = "https://blog.example.test/news";

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
    SignedTokens tokens;
    @Autowired
    CampaignLinks campaignLinks;
    @Autowired
    EngagementBuffer buffer;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private WebhookReceiver receiver;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    private record Sender(Master master, AccountId account, String from) {
    }

    private Sender sender(Master master) {
        String domain = "t" + UUID.randomUUID().toString().substring(0, 8) + ".example.test";
        verifiedDomain(master, domain);
        String address = "news@" + domain;
        master.api().post("/api/v1/senders", "{\"email\":\"" + address + "\",\"name\":\"News\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        return new Sender(master, id(master.id()), address);
    }

    private Sender sender() {
        return sender(master("pro-1000"));
    }

    private long list(AccountId account, List<String> addresses) {
        long listId = lists.create(account, "List " + UUID.randomUUID().toString().substring(0, 6)).id();
        List<Long> ids = new ArrayList<>();
        for (String address : addresses) {
            ids.add(contacts.create(account, address, "Reader " + address.substring(0, 4), null, Map.of()).id());
        }
        lists.addContactIds(account, listId, ids);
        return listId;
    }

    /** An e-mail with two tracked links (one with an entity in its href) and the unsubscribe link. */
    private Campaign campaign(Sender sender, List<String> recipients) {
        long listId = list(sender.account(), recipients);
        long emailId = emails.create(sender.account(), new EmailDraft("Tracked", "REGULAR", "News for {{name}}", "News",
                sender.from(), null, null, "<html><body><p>Hello {{name}}</p><p><a href=\"https://shop.example.test/spring?a=1&amp;b=2\">Shop</a>"
                        + " <a class=\"x\" href='" + BLOG + "'>Blog</a> <a href=\"{{unsubscribe_url}}\">Leave</a></p></body></html>",
                null, null, List.of(listId))).id();
        Campaign campaign = campaigns.create(sender.account(), new Campaigns.CampaignRequest(emailId, "Tracked "
                + UUID.randomUUID().toString().substring(0, 4), null, null, null));
        fanOut.runOnce();
        return campaign;
    }

    /** The links of one recipient's mail, as received by the relay. */
    private record Mail(String pixel, Map<String, String> clicks, String unsubscribe) {
    }

    private static Mail mailOf(String address) throws Exception {
        MimeMessage message = received(address);
        String html = html(message);
        assertThat(html).as("the text of the mail").isNotNull();
        Matcher pixel = Pattern.compile("<img src=\"https?://[^/\"]+(/t/o/[A-Za-z0-9_.\\-]+)\"").matcher(html);
        assertThat(pixel.find()).as(html).isTrue();
        Map<String, String> clicks = new HashMap<>();
        Matcher click = Pattern.compile("<a[^>]*href=[\"']https?://[^/\"']+(/t/c/[A-Za-z0-9_.\\-]+)[\"'][^>]*>([^<]+)</a>")
                .matcher(html);
        while (click.find()) {
            clicks.put(click.group(2), click.group(1));
        }
        Matcher unsubscribe = Pattern.compile("/u/([A-Za-z0-9_.\\-]+)>").matcher(message.getHeader("List-Unsubscribe")[0]);
        assertThat(unsubscribe.find()).isTrue();
        return new Mail(pixel.group(1), clicks, "/u/" + unsubscribe.group(1));
    }

    private static MimeMessage received(String address) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            for (MimeMessage m : TestInfrastructure.SMTP.getReceivedMessages()) {
                try {
                    if (Arrays.stream(m.getAllRecipients()).anyMatch(a -> ((InternetAddress) a).getAddress().equalsIgnoreCase(address))) {
                        return m;
                    }
                } catch (Exception unreadable) {
                    // another test's odd message
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no mail to " + address);
    }

    private static String html(Part part) throws Exception {
        if (part.isMimeType("text/html")) {
            return (String) part.getContent();
        }
        if (part.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart body = multipart.getBodyPart(i);
                String found = html(body);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private HttpResponse<byte[]> get(String path, String userAgent) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
        if (userAgent != null) {
            request.header("User-Agent", userAgent);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The recipient's mail was delivered an hour ago: a later open is a person's, not a prefetch's. */
    private void deliveredAnHourAgo(Campaign campaign, String address) {
        jdbc.sql("update message set delivered_at = delivered_at - interval '1 hour' where bulk_id = ? and recipients = ?")
                .params(campaign.bulkId(), address).update();
    }

    private void awaitDelivered(Campaign campaign, int count) {
        Eventually.afterConsumers(() -> assertThat(jdbc.sql("select count(*) from message where bulk_id = ? and status = 'DELIVERED'")
                .param(campaign.bulkId()).query(Integer.class).single()).isEqualTo(count));
    }

    private int events(Campaign campaign, String type) {
        buffer.flush(); // what the endpoints answered is written
        return jdbc.sql("select count(*) from message_event e join message m on m.id = e.message_id where m.bulk_id = ? and e.event_type = ?")
                .params(campaign.bulkId(), type).query(Integer.class).single();
    }

    private JsonNode report(Api api, Campaign campaign) {
        Api.Response answer = api.get("/api/v1/campaigns/" + campaign.id() + "/report");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return answer.json();
    }

    @Test
    @DisplayName("the pixel is a 43-byte GIF, no-store, without a cookie; a forged or altered open or click token answers 404 and records nothing")
    void forgedTokensAreRefusedAndRecordNothing() throws Exception {
        Sender sender = sender();
        String reader = uniqueEmail("forge");
        Campaign campaign = campaign(sender, List.of(reader));
        Mail mail = mailOf(reader);
        assertThat(mail.clicks()).containsOnlyKeys("Shop", "Blog");

        String open = mail.pixel();
        String click = mail.clicks().get("Shop");
        List<String> forgedOpens = List.of(open.substring(0, open.length() - 2) + (open.endsWith("AA") ? "BB" : "AA"),
                "/t/o/not-a-token", "/t/o/" + mail.unsubscribe().substring(3),
                "/t/o/" + click.substring(5));
        for (String forged : forgedOpens) {
            assertThat(get(forged, PERSON).statusCode()).as(forged).isEqualTo(404);
        }
        // Change one character of the signed payload: the signature no longer matches.
        int dot = click.indexOf('.');
        char flipped = click.charAt(dot - 3) == 'A' ? 'B' : 'A';
        String altered = click.substring(0, dot - 3) + flipped + click.substring(dot - 2);
        for (String forged : List.of(altered, "/t/c/" + open.substring(5), "/t/c/x.y")) {
            HttpResponse<byte[]> answer = get(forged, PERSON);
            assertThat(answer.statusCode()).as(forged).isEqualTo(404);
            assertThat(answer.headers().firstValue("Location")).isEmpty();
        }
        assertThat(events(campaign, "OPENED") + events(campaign, "CLICKED")).as("nothing recorded").isZero();

        // A scanner's HEAD and any other method record nothing.
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + open))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        HttpResponse<Void> post = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + click))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(events(campaign, "OPENED") + events(campaign, "CLICKED")).as("nothing recorded").isZero();

        HttpResponse<byte[]> pixel = get(open, PERSON);
        assertThat(pixel.statusCode()).isEqualTo(200);
        assertThat(pixel.body()).hasSize(43);
        assertThat(new String(pixel.body(), 0, 6, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("GIF89a");
        assertThat(pixel.headers().firstValue("Content-Type")).hasValue("image/gif");
        assertThat(pixel.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        assertThat(pixel.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(events(campaign, "OPENED")).isEqualTo(1);
    }

    @Test
    @DisplayName("a click token redirects only to the campaign's stored link: no URL from the request, another index or a changed link is refused")
    void aClickTokenCannotBeTurnedIntoAnOpenRedirect() throws Exception {
        Sender sender = sender();
        String reader = uniqueEmail("redirect");
        Campaign campaign = campaign(sender, List.of(reader));
        Mail mail = mailOf(reader);

        HttpResponse<byte[]> shop = get(mail.clicks().get("Shop"), PERSON);
        assertThat(shop.statusCode()).isEqualTo(302);
        assertThat(shop.headers().firstValue("Location")).hasValue(SHOP);
        assertThat(shop.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        assertThat(shop.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(get(mail.clicks().get("Blog"), PERSON).headers().firstValue("Location")).hasValue(BLOG);

        // Whatever the request adds, the target is the stored URL.
        for (String suffix : List.of("?url=https://evil.example", "?next=//evil.example&redirect=https://evil.example")) {
            HttpResponse<byte[]> answer = get(mail.clicks().get("Shop") + suffix, PERSON);
            assertThat(answer.statusCode()).isEqualTo(302);
            assertThat(answer.headers().firstValue("Location")).hasValue(SHOP);
        }
        // A genuinely signed token for an index the campaign does not have, or with another URL's hash.
        AccountId account = sender.account();
        long contact = contacts.findByEmail(account, reader).orElseThrow().id();
        String prefix = account.value() + ":" + contact + ":" + campaign.id() + ":";
        for (String subject : List.of(prefix + "7:" + CampaignLinks.hash("https://evil.example/"),
                prefix + "0:" + CampaignLinks.hash("https://evil.example/"),
                "00000000-0000-0000-0000-000000000000:" + contact + ":" + campaign.id() + ":0:" + CampaignLinks.hash(SHOP))) {
            String token = tokens.issue(TrackingLinks.CLICK, subject, "", Duration.ofDays(1));
            HttpResponse<byte[]> answer = get("/t/c/" + token, PERSON);
            assertThat(answer.statusCode()).as(subject).isIn(404, 302);
            if (answer.statusCode() == 302) {
                // another account's id in the token: the stored link still decides, and nothing is recorded for it
                assertThat(answer.headers().firstValue("Location")).hasValue(SHOP);
            }
        }
        assertThat(get("/t/c/" + tokens.issue(TrackingLinks.CLICK, prefix + "7:" + CampaignLinks.hash("https://evil.example/"),
                "", Duration.ofDays(1)), PERSON).statusCode()).isEqualTo(404);
        // The stored link changed since the mail went out: the old token no longer redirects at all.
        jdbc.sql("update campaign_link set url = ?, url_hash = ? where campaign_id = ? and link_index = 1")
                .params("https://changed.example.test/", CampaignLinks.hash("https://changed.example.test/"), campaign.id())
                .update();
        campaignLinks.forget(campaign.id());
        assertThat(get(mail.clicks().get("Blog"), PERSON).statusCode()).isEqualTo(404);
        assertThat(events(campaign, "CLICKED")).as("the genuine links' clicks only: shop three times, blog once").isEqualTo(4);
    }

    @Test
    @DisplayName("opens and clicks count once per recipient and in total, per link; machine opens (Apple proxy, seconds after delivery) apart; a replay counts nothing twice")
    void opensAndClicksCountOncePerRecipientAndInTotal() throws Exception {
        Sender sender = sender();
        String ann = uniqueEmail("ann");
        String bob = uniqueEmail("bob");
        String cid = uniqueEmail("cid");
        Campaign campaign = campaign(sender, List.of(ann, bob, cid));
        awaitDelivered(campaign, 3);
        deliveredAnHourAgo(campaign, ann);
        deliveredAnHourAgo(campaign, bob);
        Mail a = mailOf(ann);
        Mail b = mailOf(bob);
        Mail c = mailOf(cid);

        for (int i = 0; i < 3; i++) {
            assertThat(get(a.pixel(), PERSON).statusCode()).isEqualTo(200);
        }
        get(a.pixel(), APPLE_PROXY);
        get(b.pixel(), PERSON);
        get(c.pixel(), PERSON); // within seconds of its delivery: a prefetch, not a person
        get(a.clicks().get("Shop"), PERSON);
        get(a.clicks().get("Shop"), PERSON);
        get(a.clicks().get("Blog"), PERSON);
        get(b.clicks().get("Shop"), PERSON);

        Eventually.afterConsumers(() -> {
            JsonNode counts = report(sender.master().api(), campaign).get("counts");
            assertThat(counts.get("clicksTotal").asLong()).isEqualTo(4);
            assertThat(counts.get("opensTotal").asLong()).isEqualTo(4);
        });
        JsonNode report = report(sender.master().api(), campaign);
        JsonNode counts = report.get("counts");
        assertThat(counts.get("sent").asLong()).isEqualTo(3);
        assertThat(counts.get("delivered").asLong()).isEqualTo(3);
        assertThat(counts.get("opensUnique").asLong()).isEqualTo(2);
        assertThat(counts.get("opensTotal").asLong()).isEqualTo(4);
        assertThat(counts.get("machineOpensUnique").asLong()).isEqualTo(2);
        assertThat(counts.get("machineOpensTotal").asLong()).isEqualTo(2);
        assertThat(counts.get("clicksUnique").asLong()).isEqualTo(2);
        assertThat(counts.get("clicksTotal").asLong()).isEqualTo(4);
        JsonNode links = report.get("links");
        assertThat(links.get(0).get("url").asString()).isEqualTo(SHOP);
        assertThat(links.get(0).get("clicksUnique").asLong()).isEqualTo(2);
        assertThat(links.get(0).get("clicksTotal").asLong()).isEqualTo(3);
        assertThat(links.get(1).get("url").asString()).isEqualTo(BLOG);
        assertThat(links.get(1).get("clicksUnique").asLong()).isEqualTo(1);
        assertThat(links.get(1).get("clicksTotal").asLong()).isEqualTo(1);
        assertThat(StreamSupport.stream(report.get("hours").spliterator(), false)
                .mapToLong(h -> h.get("opens").asLong()).sum()).isEqualTo(4);

        // The stream read again from its start (a moved position, a renamed consumer): the counters stay.
        long before = jdbc.sql("select position_id from event_consumer where name = ?").param(CampaignReportCounters.NAME)
                .query(Long.class).single();
        jdbc.sql("update event_consumer set position_tx = 0, position_id = 0 where name = ?")
                .param(CampaignReportCounters.NAME).update();
        Eventually.afterConsumers(() -> assertThat(jdbc.sql("select position_id from event_consumer where name = ?")
                .param(CampaignReportCounters.NAME).query(Long.class).single()).isGreaterThanOrEqualTo(before));
        assertThat(report(sender.master().api(), campaign).get("counts")).isEqualTo(counts);

        Api.Response csv = sender.master().api().get("/api/v1/campaigns/" + campaign.id() + "/report");
        assertThat(csv.status()).isEqualTo(200);
        WebSession owner = signInAsOwner(sender.master());
        WebSession.Page export = owner.get("/campaigns/" + campaign.id() + "/report.csv");
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.body()).contains("campaign_id,name,sent,delivered,opens_unique,opens_total")
                .contains("," + 3 + "," + 3 + ",2,4,2,2,2,4,0,0,0,0").contains("\"" + SHOP + "\",2,3");
        for (var language : Map.of("en", "Clicks per link", "fr", "Clics par lien", "ja", "リンクごとのクリック").entrySet()) {
            WebSession.Page page = owner.get("/campaigns/" + campaign.id() + "/report?lang=" + language.getKey());
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains(language.getValue()).contains("id=\"chart-engagement\"")
                    .contains("data-type=\"OPENED\"").contains("data-type=\"CLICKED\"");
        }
        Master stranger = master("pro-1000");
        assertThat(stranger.api().get("/api/v1/campaigns/" + campaign.id() + "/report").status()).isEqualTo(404);
        assertThat(signInAsOwner(stranger).get("/campaigns/" + campaign.id() + "/report").status()).isEqualTo(404);
    }

    @Test
    @DisplayName("the report's numbers equal the signed webhook events the account received for the campaign, its state changes included; D-18: the key counts the unsubscribe")
    void reportNumbersEqualTheWebhookEventsAndD18KeyCountsTheUnsubscribe() throws Exception {
        Sender sender = sender();
        Api.Response created = sender.master().api().post("/api/v1/webhooks", "{\"url\":\"" + receiver.url("/events")
                + "\",\"eventTypes\":[\"message.delivered\",\"message.bounced\",\"message.opened\",\"message.clicked\","
                + "\"message.unsubscribed\",\"campaign.scheduled\",\"campaign.sending\",\"campaign.sent\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String secret = created.json().get("secret").asString();
        List<String> readers = List.of(uniqueEmail("w1"), uniqueEmail("w2"), uniqueEmail("w3"), uniqueEmail("w4"));
        Campaign campaign = campaign(sender, readers);
        awaitDelivered(campaign, 4);
        for (String reader : readers.subList(0, 3)) {
            deliveredAnHourAgo(campaign, reader);
        }
        Mail first = mailOf(readers.get(0));
        Mail second = mailOf(readers.get(1));
        get(first.pixel(), PERSON);
        get(first.pixel(), PERSON);
        get(second.pixel(), APPLE_PROXY);
        get(mailOf(readers.get(2)).pixel(), PERSON);
        get(first.clicks().get("Blog"), PERSON);
        get(second.clicks().get("Shop"), PERSON);
        get(second.clicks().get("Shop"), PERSON);
        HttpResponse<String> oneClick = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + second.unsubscribe()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(oneClick.statusCode()).isEqualTo(200);
        http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + second.unsubscribe()))
                .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build(), HttpResponse.BodyHandlers.ofString());

        Eventually.afterConsumers(() -> {
            JsonNode counts = report(sender.master().api(), campaign).get("counts");
            assertThat(counts.get("unsubscribes").asLong()).isEqualTo(1);
            assertThat(counts.get("clicksTotal").asLong()).isEqualTo(3);
            assertThat(counts.get("opensTotal").asLong() + counts.get("machineOpensTotal").asLong()).isEqualTo(4);
        });
        JsonNode counts = report(sender.master().api(), campaign).get("counts");
        Map<String, Long> byType = new HashMap<>();
        long[] machine = {0};
        Eventually.afterConsumers(() -> {
            byType.clear();
            machine[0] = 0;
            for (WebhookReceiver.Received request : receiver.at("/events")) {
                for (JsonNode event : JSON.readTree(request.body())) {
                    JsonNode data = event.get("data");
                    boolean ours = event.get("type").asString().startsWith("campaign.")
                            ? data.get("campaignId").asLong() == campaign.id()
                            : campaign.bulkId().toString().equals(data.path("bulkId").asString(""));
                    if (ours) {
                        byType.merge(event.get("type").asString(), 1L, Long::sum);
                        if (data.path("machine").asBoolean(false)) {
                            machine[0]++;
                        }
                    }
                }
            }
            assertThat(byType.getOrDefault("message.unsubscribed", 0L)).isEqualTo(1);
            assertThat(byType.getOrDefault("message.opened", 0L)).isEqualTo(4);
            assertThat(byType.getOrDefault("message.clicked", 0L)).isEqualTo(3);
            assertThat(byType.getOrDefault("campaign.sent", 0L)).isEqualTo(1);
        });
        for (WebhookReceiver.Received request : receiver.at("/events")) {
            WebhookReceiver.assertSigned(request, secret);
        }
        assertThat(byType.get("message.delivered")).isEqualTo(counts.get("delivered").asLong()).isEqualTo(4);
        assertThat(byType.get("message.opened"))
                .isEqualTo(counts.get("opensTotal").asLong() + counts.get("machineOpensTotal").asLong());
        assertThat(machine[0]).isEqualTo(counts.get("machineOpensTotal").asLong()).isEqualTo(1);
        assertThat(byType.get("message.clicked")).isEqualTo(counts.get("clicksTotal").asLong());
        assertThat(byType.get("message.unsubscribed")).isEqualTo(counts.get("unsubscribes").asLong());
        assertThat(byType.getOrDefault("message.bounced", 0L))
                .isEqualTo(counts.get("hardBounces").asLong() + counts.get("softBounces").asLong());
        assertThat(byType).containsEntry("campaign.scheduled", 1L).containsEntry("campaign.sending", 1L);
        assertThat(events(campaign, "UNSUBSCRIBED")).as("a provider's retry writes no second event").isEqualTo(1);
        UUID key = jdbc.sql("select api_key_id from message where bulk_id = ? limit 1").param(campaign.bulkId())
                .query(UUID.class).single();
        Eventually.afterConsumers(() -> assertThat(jdbc.sql("select coalesce(sum(unsubscribes), 0) from key_reputation_hour"
                + " where api_key_id = ?").param(key).query(Long.class).single()).isEqualTo(1));
    }

    @Test
    @DisplayName("D-25: the master sees its sub-accounts' campaigns with their numbers per e-mail and per sub-account; a sub-account gets 404 for its master's or a sibling's report")
    void d25MasterSeesSubaccountCampaignsAndSubaccountsSeeOnlyTheirOwn() throws Exception {
        Master master = master("pro-5000");
        JsonNode lyonJson = createSubaccount(master.api(), "Lyon " + UUID.randomUUID().toString().substring(0, 4),
                uniqueEmail("lyon"), null, 500).json();
        JsonNode nantesJson = createSubaccount(master.api(), "Nantes " + UUID.randomUUID().toString().substring(0, 4),
                uniqueEmail("nantes"), null, 500).json();
        Master lyon = new Master(lyonJson.get("subaccount").get("id").asString(), Api.withKey(port, lyonJson.get("apiKey")));
        Master nantes = new Master(nantesJson.get("subaccount").get("id").asString(), Api.withKey(port, nantesJson.get("apiKey")));
        String lyonName = lyonJson.get("subaccount").get("name").asString();
        String nantesName = nantesJson.get("subaccount").get("name").asString();
        Sender masterSender = sender(master);
        Sender lyonSender = sender(lyon);
        Sender nantesSender = sender(nantes);

        String lyonReader = uniqueEmail("ly");
        Campaign ownCampaign = campaign(masterSender, List.of(uniqueEmail("own")));
        Campaign lyonCampaign = campaign(lyonSender, List.of(lyonReader, uniqueEmail("ly2")));
        Campaign nantesCampaign = campaign(nantesSender, List.of(uniqueEmail("na")));
        awaitDelivered(lyonCampaign, 2);
        awaitDelivered(nantesCampaign, 1);
        deliveredAnHourAgo(lyonCampaign, lyonReader);
        Mail lyonMail = mailOf(lyonReader);
        get(lyonMail.pixel(), PERSON);
        get(lyonMail.clicks().get("Shop"), PERSON);

        Eventually.afterConsumers(() -> {
            JsonNode view = master.api().get("/api/v1/campaigns/subaccounts").json();
            assertThat(view.get("campaigns").size()).isEqualTo(2);
            JsonNode lyonRow = StreamSupport.stream(view.get("campaigns").spliterator(), false)
                    .filter(r -> r.get("campaign").get("id").asLong() == lyonCampaign.id()).findFirst().orElseThrow();
            assertThat(lyonRow.get("accountName").asString()).isEqualTo(lyonName);
            assertThat(lyonRow.get("counts").get("delivered").asLong()).isEqualTo(2);
            assertThat(lyonRow.get("counts").get("opensUnique").asLong()).isEqualTo(1);
            assertThat(lyonRow.get("counts").get("clicksUnique").asLong()).isEqualTo(1);
        });
        JsonNode view = master.api().get("/api/v1/campaigns/subaccounts").json();
        assertThat(StreamSupport.stream(view.get("campaigns").spliterator(), false).map(r -> r.get("campaign").get("id").asLong()))
                .as("the master's own campaign is not a sub-account's").containsExactlyInAnyOrder(lyonCampaign.id(), nantesCampaign.id());
        Map<String, JsonNode> perSub = new HashMap<>();
        view.get("subaccounts").forEach(s -> perSub.put(s.get("accountName").asString(), s));
        assertThat(perSub.get(lyonName).get("counts").get("sent").asLong()).isEqualTo(2);
        assertThat(perSub.get(nantesName).get("counts").get("sent").asLong()).isEqualTo(1);
        assertThat(perSub.get(nantesName).get("campaigns").asInt()).isEqualTo(1);
        assertThat(view.get("total").get("delivered").asLong()).isEqualTo(3);

        // Tenancy: a sub-account sees its own report only.
        assertThat(lyon.api().get("/api/v1/campaigns/" + lyonCampaign.id() + "/report").status()).isEqualTo(200);
        assertThat(lyon.api().get("/api/v1/campaigns/" + nantesCampaign.id() + "/report").status()).isEqualTo(404);
        assertThat(lyon.api().get("/api/v1/campaigns/" + ownCampaign.id() + "/report").status()).isEqualTo(404);
        assertThat(lyon.api().get("/api/v1/campaigns/subaccounts").status()).isIn(403, 404);
        assertThat(master.api().get("/api/v1/campaigns/" + lyonCampaign.id() + "/report").status())
                .as("the master reads a sub-account's report through the cross view, not as its own").isEqualTo(404);

        WebSession owner = signInAsOwner(master);
        WebSession.Page page = owner.get("/campaigns/subaccounts?lang=fr");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Campagnes des sous-comptes").contains(lyonName).contains(nantesName)
                .contains("data-campaign=\"" + lyonCampaign.id() + "\"").doesNotContain("data-campaign=\"" + ownCampaign.id() + "\"");
        WebSession.Page drill = owner.get("/campaigns/subaccounts/" + lyon.id() + "/" + lyonCampaign.id() + "/report");
        assertThat(drill.status()).isEqualTo(200);
        assertThat(drill.body()).contains("id=\"chart-engagement\"");
        assertThat(owner.get("/campaigns/subaccounts/" + lyon.id() + "/" + nantesCampaign.id() + "/report").status())
                .as("a sibling's campaign under another sub-account's id").isEqualTo(404);
        Master otherMaster = master("pro-1000");
        assertThat(signInAsOwner(otherMaster).get("/campaigns/subaccounts/" + lyon.id() + "/" + lyonCampaign.id() + "/report")
                .status()).as("another master").isEqualTo(404);
    }
}
