package io.mailtree.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.contacts.ContactLists;
import io.mailtree.contacts.ContactStatus;
import io.mailtree.contacts.Contacts;
import io.mailtree.contacts.Suppressions;
import io.mailtree.content.EmailDraft;
import io.mailtree.content.EmailStatus;
import io.mailtree.content.Emails;
import io.mailtree.keys.ApiKeys;
import io.mailtree.keys.KeyLabel;
import io.mailtree.shared.AccountId;
import io.mailtree.support.Api;
import io.mailtree.support.DkimVerifier;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Campaigns on PostgreSQL with GreenMail as the relay: lifecycle guards and tenancy, scheduling across
 * a daylight-saving change, the fan-out's resumption after a crash mid-batch, cancel, the
 * List-Unsubscribe headers under DKIM, and the one-click unsubscribe. The periodic fan-out is off
 * (each test runs it itself) and batches are three recipients, so a handful of contacts spans
 * several batches.
 */
@TestPropertySource(properties = {"mailtree.campaigns.fan-out-every=0", "mailtree.campaigns.batch-size=3"})
class CampaignsIntegrationTests extends MailtreeTestBase {

    @Autowired
    Campaigns campaigns;

    @Autowired
    CampaignFanOut fanOut;

    @Autowired
    Contacts contacts;

    @Autowired
    ContactLists lists;

    @Autowired
    Suppressions suppressions;

    @Autowired
    Emails emails;

    @Autowired
    ApiKeys keys;

    @AfterEach
    void noCrash() {
        fanOut.beforeBatchCommit = batch -> { };
    }

    /** A master with a confirmed sender on a DKIM domain of its own. */
    private record Sender(Master master, AccountId account, String from, String domain) {
    }

    private Sender sender() {
        Master master = master("pro-1000");
        String domain = "c" + UUID.randomUUID().toString().substring(0, 8) + ".example.test";
        verifiedDomain(master, domain);
        String address = "news@" + domain;
        master.api().post("/api/v1/senders", "{\"email\":\"" + address + "\",\"name\":\"News\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        return new Sender(master, id(master.id()), address, domain);
    }

    private long list(AccountId account, List<String> addresses) {
        long listId = lists.create(account, "List " + UUID.randomUUID().toString().substring(0, 6)).id();
        List<Long> ids = new ArrayList<>();
        for (String address : addresses) {
            ids.add(contacts.findByEmail(account, address)
                    .orElseGet(() -> contacts.create(account, address, "Reader " + address.substring(0, 6), null, Map.of()))
                    .id());
        }
        lists.addContactIds(account, listId, ids);
        return listId;
    }

    private long draft(Sender sender, List<Long> listIds) {
        return emails.create(sender.account(), new EmailDraft("Spring news", "REGULAR", "News for {{name}}", "News",
                sender.from(), null, null, "<p>Hello {{name}}</p>", null, null, listIds)).id();
    }

    private static List<String> addresses(String prefix, int count) {
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            addresses.add(uniqueEmail(prefix + i));
        }
        return addresses;
    }

    /** The mail the relay received for an address (campaign mail names the contact in To, so match the address). */
    private static List<MimeMessage> mailTo(String address) {
        return Arrays.stream(TestInfrastructure.SMTP.getReceivedMessages()).filter(m -> {
            try {
                return Arrays.stream(m.getAllRecipients())
                        .anyMatch(a -> ((jakarta.mail.internet.InternetAddress) a).getAddress().equalsIgnoreCase(address));
            } catch (Exception unreadable) {
                return false;
            }
        }).toList();
    }

    private static MimeMessage receivedBy(String address) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            List<MimeMessage> received = mailTo(address);
            if (!received.isEmpty()) {
                return received.get(0);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no mail to " + address);
    }

    private List<String> queuedRecipients(Campaign campaign) {
        return jdbc.sql("select recipients from message where bulk_id = ? order by id").param(campaign.bulkId())
                .query(String.class).list();
    }

    @Test
    @DisplayName("illegal transitions answer campaign_transition_refused; another account's campaign is not found")
    void lifecycleGuardsAndTenancy() {
        Sender sender = sender();
        long listId = list(sender.account(), addresses("g", 1));
        long emailId = draft(sender, List.of(listId));
        String tomorrow = LocalDate.now(ZoneId.of("Europe/Paris")).plusDays(2) + "T09:00";
        Api api = sender.master().api();
        Api.Response created = api.post("/api/v1/campaigns", "{\"emailId\":" + emailId + ",\"sendAt\":\"" + tomorrow
                + "\",\"timeZone\":\"Europe/Paris\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode campaign = created.json().get("campaign");
        long id = campaign.get("id").asLong();
        assertThat(campaign.get("status").asString()).isEqualTo("SCHEDULED");
        assertThat(campaign.get("timeZone").asString()).isEqualTo("Europe/Paris");

        Api.Response pause = api.post("/api/v1/campaigns/" + id + "/pause", null);
        assertThat(pause.status()).isEqualTo(409);
        assertThat(pause.code()).isEqualTo("campaign_transition_refused");
        assertThat(api.post("/api/v1/campaigns/" + id + "/resume", null).code()).isEqualTo("campaign_transition_refused");

        Master other = master("pro-1000");
        assertThat(other.api().get("/api/v1/campaigns/" + id).status()).isEqualTo(404);
        assertThat(other.api().post("/api/v1/campaigns/" + id + "/cancel", null).code()).isEqualTo("campaign_not_found");
        assertThat(other.api().post("/api/v1/campaigns", "{\"emailId\":" + emailId + "}").code()).isEqualTo("email_not_found");
        assertThat(other.api().get("/api/v1/campaigns").json().get("total").asLong()).isZero();

        assertThat(api.post("/api/v1/campaigns/" + id + "/cancel", null).json().get("campaign").get("status").asString())
                .isEqualTo("CANCELLED");
        Api.Response again = api.post("/api/v1/campaigns/" + id + "/cancel", null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("status").asString()).isEqualTo("CANCELLED");

        assertThat(api.post("/api/v1/campaigns", "{\"emailId\":" + emailId + ",\"sendAt\":\"" + tomorrow
                + "\",\"timeZone\":\"Mars/Olympus\"}").code()).isEqualTo("invalid_time_zone");
        assertThat(api.post("/api/v1/campaigns", "{\"emailId\":" + emailId
                + ",\"sendAt\":\"2020-01-01T09:00\",\"timeZone\":\"Europe/Paris\"}").code()).isEqualTo("send_at_in_past");
        assertThat(api.post("/api/v1/campaigns", "{\"emailId\":" + emailId + ",\"listIds\":[999999999]}").code())
                .isEqualTo("list_not_found");
        assertThat(jdbc.sql("select count(*) from campaign where account_id = ?").param(sender.account().value())
                .query(Integer.class).single()).as("a refused create writes nothing").isEqualTo(1);
    }

    @Test
    @DisplayName("a campaign scheduled at 09:00 Paris the day after a daylight-saving change starts at that instant, not an hour off")
    void scheduledCampaignStartsAtTheZonesInstantAcrossADaylightSavingChange() {
        Sender sender = sender();
        long listId = list(sender.account(), addresses("s", 1));
        long emailId = draft(sender, List.of(listId));
        ZoneId paris = ZoneId.of("Europe/Paris");
        Instant change = paris.getRules().nextTransition(clock().instant()).getInstant();
        LocalDate dayAfter = change.atZone(paris).toLocalDate().plusDays(1);
        Instant expected = ZonedDateTime.of(dayAfter.atTime(9, 0), paris).toInstant();
        Instant dayBeforeNineUtc = ZonedDateTime.of(change.atZone(paris).toLocalDate().minusDays(1).atTime(9, 0), paris)
                .toInstant();
        assertThat(Duration.between(dayBeforeNineUtc, expected)).as("two days across the change")
                .isNotEqualTo(Duration.ofDays(2));

        Campaign campaign = campaigns.create(sender.account(), new Campaigns.CampaignRequest(emailId, null, null,
                dayAfter + "T09:00", "Europe/Paris"));
        assertThat(campaign.scheduledAt()).isEqualTo(expected);
        advanceClock(Duration.between(clock().instant(), expected).minusSeconds(1));
        fanOut.runOnce();
        assertThat(campaigns.get(sender.account(), campaign.id()).status()).isEqualTo(CampaignStatus.SCHEDULED);
        advanceClock(Duration.ofSeconds(2));
        fanOut.runOnce();
        Campaign sent = campaigns.get(sender.account(), campaign.id());
        assertThat(sent.status()).isEqualTo(CampaignStatus.SENT);
        assertThat(sent.startedAt()).isAfterOrEqualTo(expected);
        assertThat(emails.get(sender.account(), emailId).status()).isEqualTo(EmailStatus.SENT);
    }

    @Test
    @DisplayName("a crash mid-fan-out rolls back the batch in flight; the restart resumes at the cursor: no recipient skipped, none twice")
    void fanOutResumesAfterACrashWithNoRecipientSkippedOrTwice() throws Exception {
        Sender sender = sender();
        AccountId account = sender.account();
        List<String> first = addresses("f", 6);
        List<String> second = new ArrayList<>(addresses("n", 4));
        second.add(first.get(0)); // in both lists: once
        second.add(first.get(1));
        long listA = list(account, first);
        long listB = list(account, second);
        String suppressed = second.get(0);
        suppressions.add(account, suppressed, "MANUAL", null);
        String unsubscribed = first.get(5);
        contacts.update(account, contacts.findByEmail(account, unsubscribed).orElseThrow().id(), null, "UNSUBSCRIBED", null);
        List<String> expected = new ArrayList<>(first.subList(0, 5));
        expected.addAll(second.subList(1, 4));
        long emailId = draft(sender, List.of(listA, listB));

        Campaign campaign = campaigns.create(account, new Campaigns.CampaignRequest(emailId, "Resume", null, null, null));
        java.util.concurrent.atomic.AtomicInteger crashes = new java.util.concurrent.atomic.AtomicInteger();
        fanOut.beforeBatchCommit = batch -> {
            if (batch == 2) {
                crashes.incrementAndGet();
                throw new IllegalStateException("the process dies before batch 2 commits");
            }
        };
        fanOut.runOnce();
        assertThat(crashes.get()).as("batch 2 was queued and rolled back").isEqualTo(1);
        Campaign crashed = campaigns.get(account, campaign.id());
        assertThat(crashed.status()).isEqualTo(CampaignStatus.SENDING);
        assertThat(crashed.recipientTotal()).isEqualTo(expected.size());
        assertThat(crashed.queuedCount()).as("only batch 1 committed").isEqualTo(3);
        assertThat(queuedRecipients(campaign)).hasSize(3);

        fanOut.beforeBatchCommit = batch -> { };
        fanOut.runOnce();
        Campaign done = campaigns.get(account, campaign.id());
        assertThat(done.status()).isEqualTo(CampaignStatus.SENT);
        assertThat(done.queuedCount()).isEqualTo(expected.size());
        assertThat(queuedRecipients(campaign)).as("each recipient once, suppressed and unsubscribed left out")
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(jdbc.sql("select count(*) from campaign_recipient where campaign_id = ?").param(campaign.id())
                .query(Integer.class).single()).isEqualTo(expected.size());
        fanOut.runOnce();
        assertThat(queuedRecipients(campaign)).as("a finished campaign queues nothing more").hasSize(expected.size());
        for (String address : expected) {
            MimeMessage mail = receivedBy(address);
            assertThat(mail.getSubject()).as("personalised per recipient").isEqualTo("News for Reader " + address.substring(0, 6));
        }
        Thread.sleep(500);
        for (String address : expected) {
            assertThat(mailTo(address)).as("delivered once").hasSize(1);
        }
    }

    @Test
    @DisplayName("cancel while sending: the queued mail is held and nothing more is queued after the cancel commits")
    void cancelHoldsQueuedMailAndQueuesNothingMore() {
        Sender sender = sender();
        AccountId account = sender.account();
        List<String> recipients = addresses("c", 8);
        long emailId = draft(sender, List.of(list(account, recipients)));
        Campaign campaign = campaigns.create(account, new Campaigns.CampaignRequest(emailId, "Cancel", null, null, null));
        java.util.concurrent.atomic.AtomicInteger stops = new java.util.concurrent.atomic.AtomicInteger();
        fanOut.beforeBatchCommit = batch -> {
            if (batch == 2) {
                stops.incrementAndGet();
                throw new IllegalStateException("stop after one batch");
            }
        };
        fanOut.runOnce();
        assertThat(stops.get()).isEqualTo(1);
        // The node's own fan-out task runs too: until the pause commits, it must not queue a batch either.
        java.util.concurrent.atomic.AtomicBoolean paused = new java.util.concurrent.atomic.AtomicBoolean();
        fanOut.beforeBatchCommit = batch -> {
            if (!paused.get()) {
                throw new IllegalStateException("held until the pause has committed");
            }
        };
        assertThat(campaigns.pause(account, campaign.id()).status()).isEqualTo(CampaignStatus.PAUSED);
        paused.set(true);
        fanOut.runOnce();
        assertThat(queuedRecipients(campaign)).as("a paused campaign queues nothing").hasSize(3);
        assertThat(campaigns.cancel(account, campaign.id()).status()).isEqualTo(CampaignStatus.CANCELLED);
        fanOut.runOnce();
        assertThat(queuedRecipients(campaign)).as("nothing queued after the cancel").hasSize(3);
        assertThat(jdbc.sql("select count(*) from message where bulk_id = ? and status = 'QUEUED'").param(campaign.bulkId())
                .query(Integer.class).single()).as("nothing left for a worker to claim").isZero();
        long heldOrGone = jdbc.sql("select count(*) from message where bulk_id = ? and status in ('HELD', 'DELIVERED')")
                .param(campaign.bulkId()).query(Long.class).single();
        assertThat(heldOrGone).isEqualTo(3);
        assertThat(recipients.subList(3, 8).stream().flatMap(r -> mailTo(r).stream()))
                .as("the recipients after the cancel get nothing").isEmpty();
        assertThat(queuedRecipients(campaign)).containsExactlyInAnyOrderElementsOf(recipients.subList(0, 3));
    }


    @Test
    @DisplayName("D-30: campaign mail reaches the SMTP server with List-Unsubscribe (URL and mailto) and One-Click, both DKIM-signed, sent with the MARKETING key")
    void d30DeliveredWithListUnsubscribeHeadersCoveredByDkim() throws Exception {
        Sender sender = sender();
        var marketing = keys.issue(sender.account(), "Newsletter", KeyLabel.MARKETING, false);
        String reader = uniqueEmail("reader");
        long emailId = draft(sender, List.of(list(sender.account(), List.of(reader))));
        Campaign campaign = campaigns.create(sender.account(), new Campaigns.CampaignRequest(emailId, null, null, null, null));
        fanOut.runOnce();

        MimeMessage mail = receivedBy(reader);
        String unsubscribe = mail.getHeader("List-Unsubscribe")[0];
        assertThat(unsubscribe).matches("<https?://[^>]+/u/[A-Za-z0-9_.\\-]+>, <mailto:" + Pattern.quote(sender.from())
                + "\\?subject=unsubscribe>");
        assertThat(mail.getHeader("List-Unsubscribe-Post")[0]).isEqualTo("List-Unsubscribe=One-Click");
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        mail.writeTo(raw);
        assertThat(raw.toString()).as("a visible unsubscribe link in the body").contains("/u/");
        String published = sender.master().api().get("/api/v1/domains").json().get("items").get(0).get("dnsRecords")
                .get(0).get("value").asString().replaceFirst("^v=DKIM1; k=rsa; p=", "");
        var key = java.security.KeyFactory.getInstance("RSA").generatePublic(
                new java.security.spec.X509EncodedKeySpec(java.util.Base64.getDecoder().decode(published)));
        var verified = DkimVerifier.verify(raw.toByteArray(), key);
        assertThat(verified.valid()).as(String.valueOf(verified.reason())).isTrue();
        assertThat(verified.signedHeaders()).contains("list-unsubscribe", "list-unsubscribe-post", "from", "subject");
        assertThat(jdbc.sql("select api_key_id from message where bulk_id = ?").param(campaign.bulkId())
                .query(UUID.class).single()).isEqualTo(marketing.key().id().value());
    }

    private static String token(String listUnsubscribe) {
        Matcher matcher = Pattern.compile("/u/([A-Za-z0-9_.\\-]+)>").matcher(listUnsubscribe);
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    private static HttpResponse<String> oneClick(int port, String token) throws Exception {
        // RFC 8058: a POST with this body, no cookie, no CSRF token, from the provider's servers.
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/u/" + token))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("D-7: the RFC 8058 one-click POST with no cookies unsubscribes the contact in that account only, at once; a forged token is refused")
    void d7OneClickUnsubscribeInThatAccountOnly() throws Exception {
        Sender sender = sender();
        Sender otherSender = sender();
        String reader = uniqueEmail("both");
        long emailId = draft(sender, List.of(list(sender.account(), List.of(reader))));
        list(otherSender.account(), List.of(reader));
        int activeBefore = allowance(sender.master().api()).get("ownActiveContacts").asInt();
        campaigns.create(sender.account(), new Campaigns.CampaignRequest(emailId, null, null, null, null));
        fanOut.runOnce();
        String token = token(receivedBy(reader).getHeader("List-Unsubscribe")[0]);

        String forged = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
        assertThat(oneClick(port, forged).statusCode()).isEqualTo(404);
        assertThat(contacts.findByEmail(sender.account(), reader).orElseThrow().status()).isEqualTo(ContactStatus.SUBSCRIBED);

        HttpResponse<String> answer = oneClick(port, token);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Location")).as("no redirect anywhere").isEmpty();
        assertThat(answer.headers().firstValue("Set-Cookie")).as("no session").isEmpty();
        assertThat(contacts.findByEmail(sender.account(), reader).orElseThrow().status())
                .isEqualTo(ContactStatus.UNSUBSCRIBED);
        assertThat(contacts.findByEmail(otherSender.account(), reader).orElseThrow().status())
                .as("the same address in another account stays subscribed").isEqualTo(ContactStatus.SUBSCRIBED);
        assertThat(allowance(sender.master().api()).get("ownActiveContacts").asInt()).isEqualTo(activeBefore - 1);
        assertThat(oneClick(port, token).statusCode()).as("a provider's retry").isEqualTo(200);
        assertThat(allowance(sender.master().api()).get("ownActiveContacts").asInt()).isEqualTo(activeBefore - 1);
    }

    @Test
    @DisplayName("the unsubscribe link opens a page with a confirm button in English, French and Japanese; the button unsubscribes")
    void unsubscribePageConfirmsInEachLanguage() throws Exception {
        Sender sender = sender();
        String reader = uniqueEmail("page");
        long emailId = draft(sender, List.of(list(sender.account(), List.of(reader))));
        Campaign campaign = campaigns.create(sender.account(), new Campaigns.CampaignRequest(emailId, null, null, null, null));
        fanOut.runOnce();
        String token = token(receivedBy(reader).getHeader("List-Unsubscribe")[0]);
        Map<String, String> buttons = Map.of("en", "Unsubscribe", "fr", "Me désinscrire", "ja", "配信を停止する");
        for (var language : buttons.entrySet()) {
            WebSession.Page page = new WebSession(port).header("Accept-Language", language.getKey()).get("/u/" + token);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains("id=\"unsubscribe-form\"").contains(language.getValue());
        }
        assertThat(contacts.findByEmail(sender.account(), reader).orElseThrow().status())
                .as("opening the page unsubscribes no one").isEqualTo(ContactStatus.SUBSCRIBED);
        assertThat(new WebSession(port).get("/u/not-a-token").status()).isEqualTo(404);
        WebSession.Page done = new WebSession(port).header("Accept-Language", "fr").postRaw("/u/" + token, Map.of());
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.body()).contains("Vous êtes désinscrit");
        assertThat(contacts.findByEmail(sender.account(), reader).orElseThrow().status()).isEqualTo(ContactStatus.UNSUBSCRIBED);
        assertThat(campaign.id()).isPositive();
    }

    @Test
    @DisplayName("the campaigns page pauses, resumes and cancels with its buttons, says why a move is refused, and answers 404 for another account's campaign")
    void campaignsPageActions() {
        Sender sender = sender();
        long emailId = draft(sender, List.of(list(sender.account(), addresses("p", 1))));
        String later = LocalDate.now(ZoneId.of("Asia/Tokyo")).plusDays(3) + "T08:30";
        Campaign campaign = campaigns.create(sender.account(), new Campaigns.CampaignRequest(emailId, "Page actions", null,
                later, "Asia/Tokyo"));
        WebSession owner = signInAsOwner(sender.master());
        WebSession.Page page = owner.get("/campaigns?lang=fr");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("data-campaign=\"" + campaign.id() + "\"").contains("Programmée")
                .contains("Asia/Tokyo").contains("campaign-cancel").doesNotContain("campaign-pause\"");

        WebSession.Page paused = owner.post("/campaigns/" + campaign.id() + "/pause", Map.of());
        assertThat(paused.location()).endsWith("/campaigns");
        assertThat(owner.get("/campaigns").body()).contains("Cette campagne ne peut pas faire cela dans son état actuel.");

        Master other = master("pro-1000");
        WebSession stranger = signInAsOwner(other);
        assertThat(stranger.get("/campaigns").body()).doesNotContain("data-campaign=\"" + campaign.id() + "\"");
        stranger.get("/campaigns");
        assertThat(stranger.post("/campaigns/" + campaign.id() + "/cancel", Map.of()).status()).isEqualTo(404);
        assertThat(campaigns.get(sender.account(), campaign.id()).status()).isEqualTo(CampaignStatus.SCHEDULED);

        owner.get("/campaigns");
        assertThat(owner.post("/campaigns/" + campaign.id() + "/cancel", Map.of()).location()).endsWith("/campaigns");
        assertThat(campaigns.get(sender.account(), campaign.id()).status()).isEqualTo(CampaignStatus.CANCELLED);
        assertThat(owner.get("/campaigns?lang=ja").body()).contains("「Page actions」をキャンセルしました。")
                .contains("キャンセル済み");
    }
}
