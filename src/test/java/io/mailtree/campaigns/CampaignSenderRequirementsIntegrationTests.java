package io.mailtree.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.contacts.ContactLists;
import io.mailtree.contacts.Contacts;
import io.mailtree.content.EmailDraft;
import io.mailtree.content.Emails;
import io.mailtree.shared.AccountId;
import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.TestDnsServer;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * What mailbox providers require of bulk senders, checked before a campaign is sent or scheduled
 * (ADR 0032), with the sending domain's records served by a real DNS server: each requirement missing
 * is refused with {@code sender_not_aligned} naming it and nothing is written; every one met is allowed.
 */
@TestPropertySource(properties = "mailtree.campaigns.fan-out-every=0")
class CampaignSenderRequirementsIntegrationTests extends MailtreeTestBase {

    private static final TestDnsServer DNS = TestInfrastructure.DNS;

    @Autowired
    Emails emails;

    @Autowired
    ContactLists lists;

    @Autowired
    Contacts contacts;

    /** A master with a confirmed sender on a domain it added, whose records are not published yet. */
    private record Setup(Master master, AccountId account, String domain, long domainId, Map<String, JsonNode> records,
            long emailId) {

        void publish(String... purposes) {
            for (String purpose : purposes) {
                DNS.txt(records.get(purpose).get("name").asString(), records.get(purpose).get("value").asString());
            }
        }

        Api.Response checkNow() {
            return master.api().post("/api/v1/domains/" + domainId + "/check", "{}");
        }

        Api.Response schedule() {
            return master.api().post("/api/v1/campaigns", "{\"emailId\":" + emailId + ",\"sendAt\":\""
                    + LocalDate.now().plusDays(3) + "T09:00\",\"timeZone\":\"Europe/Paris\"}");
        }

        Api.Response sendNow() {
            return master.api().post("/api/v1/campaigns", "{\"emailId\":" + emailId + "}");
        }
    }

    private Setup setup(boolean registerDomain) {
        Master master = master("pro-1000");
        AccountId account = id(master.id());
        String domain = "q" + UUID.randomUUID().toString().substring(0, 8) + ".example.test";
        Map<String, JsonNode> records = new LinkedHashMap<>();
        long domainId = 0;
        if (registerDomain) {
            JsonNode added = master.api().post("/api/v1/domains", "{\"domain\":\"" + domain + "\"}").json();
            added.get("dnsRecords").forEach(r -> records.put(r.get("purpose").asString(), r));
            domainId = added.get("id").asLong();
        }
        String from = "news@" + domain;
        master.api().post("/api/v1/senders", "{\"email\":\"" + from + "\",\"name\":\"News\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(from, 1), "/senders/confirm"));
        long listId = lists.create(account, "Readers").id();
        List<Long> ids = new ArrayList<>();
        ids.add(contacts.create(account, uniqueEmail("reader"), "Reader", null, Map.of()).id());
        lists.addContactIds(account, listId, ids);
        long emailId = emails.create(account, new EmailDraft("Winter", "REGULAR", "Winter news", "News", from, null,
                null, "<p>Hello {{name}}</p>", null, null, List.of(listId))).id();
        return new Setup(master, account, domain, domainId, records, emailId);
    }

    private int campaignsOf(Setup setup) {
        return jdbc.sql("select count(*) from campaign where account_id = ?").param(setup.account().value())
                .query(Integer.class).single();
    }

    private void assertRefused(Setup setup, Api.Response answer, String... requirements) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(409);
        assertThat(answer.code()).isEqualTo("sender_not_aligned");
        List<String> named = new ArrayList<>();
        answer.json().get("requirements").forEach(r -> named.add(r.asString()));
        assertThat(named).containsExactlyInAnyOrder(requirements);
        assertThat(answer.json().get("domain").asString()).isEqualTo(setup.domain());
        assertThat(campaignsOf(setup)).as("a refused campaign writes nothing").isZero();
    }

    @Test
    @DisplayName("a From domain that is not a sending domain of the account: refused, no DKIM signature can align")
    void refusesAFromDomainThatIsNotRegistered() {
        Setup setup = setup(false);
        assertRefused(setup, setup.sendNow(), "domain_not_registered", "dkim_not_verified", "spf_missing",
                "dmarc_missing", "not_aligned");
        assertRefused(setup, setup.schedule(), "domain_not_registered", "dkim_not_verified", "spf_missing",
                "dmarc_missing", "not_aligned");
    }

    @Test
    @DisplayName("DKIM key not published: refused with dkim_not_verified, and not aligned (mail would go unsigned)")
    void refusesWithoutDkim() {
        Setup setup = setup(true);
        setup.publish("SPF", "DMARC");
        setup.checkNow();
        assertRefused(setup, setup.schedule(), "dkim_not_verified", "not_aligned");
    }

    @Test
    @DisplayName("no SPF record: refused with spf_missing")
    void refusesWithoutSpf() {
        Setup setup = setup(true);
        setup.publish("DKIM", "DMARC");
        setup.checkNow();
        assertRefused(setup, setup.schedule(), "spf_missing");
        assertRefused(setup, setup.sendNow(), "spf_missing");
    }

    @Test
    @DisplayName("no DMARC record: refused with dmarc_missing")
    void refusesWithoutDmarc() {
        Setup setup = setup(true);
        setup.publish("DKIM", "SPF");
        setup.checkNow();
        assertRefused(setup, setup.schedule(), "dmarc_missing");
    }

    @Test
    @DisplayName("every record verified and DKIM aligned with From: the campaign is scheduled")
    void allowsAnAuthenticatedAlignedSender() {
        Setup setup = setup(true);
        setup.publish("DKIM", "SPF", "DMARC");
        setup.checkNow();
        Api.Response created = setup.schedule();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("campaign").get("status").asString()).isEqualTo("SCHEDULED");
        assertThat(campaignsOf(setup)).isEqualTo(1);
    }

    @Test
    @DisplayName("a domain never checked, or last checked before its records went up and longer ago than the re-check interval, is checked again first")
    void aStaleVerificationIsCheckedAgainBeforeJudging() {
        Setup never = setup(true);
        never.publish("DKIM", "SPF", "DMARC");
        assertThat(never.schedule().status()).as("never checked: checked now, then allowed").isEqualTo(201);

        Setup stale = setup(true);
        stale.checkNow();
        stale.publish("DKIM", "SPF", "DMARC");
        assertRefused(stale, stale.schedule(), "dkim_not_verified", "spf_missing", "dmarc_missing", "not_aligned");
        advanceClock(Duration.ofHours(7));
        assertThat(stale.schedule().status()).as("stale: checked again, now verified").isEqualTo(201);
    }

    @Test
    @DisplayName("DMARC relaxed alignment: same organisational domain aligns, another does not")
    void relaxedAlignment() {
        assertThat(SenderRequirements.aligned("news.shop.example", "shop.example")).isTrue();
        assertThat(SenderRequirements.aligned("shop.example", "mail.shop.example")).isTrue();
        assertThat(SenderRequirements.aligned("bounces.mailtree.localhost", "shop.example")).isFalse();
        assertThat(SenderRequirements.aligned("shop.example", "")).isFalse();
    }
}
