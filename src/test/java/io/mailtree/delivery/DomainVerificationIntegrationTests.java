package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Eventually;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.TestDnsServer;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Sending domains checked against a real DNS server (ADR 0021): the test's own server on UDP and
 * TCP, reached through {@code mailtree.dns.resolver}, serves the records each test publishes.
 */
class DomainVerificationIntegrationTests extends MailtreeTestBase {

    private static final TestDnsServer DNS = TestInfrastructure.DNS;

    @Autowired
    DomainVerification verification;

    @Autowired
    BounceDomain bounceDomain;

    @Autowired
    DnsSettings settings;

    @BeforeAll
    static void bounceDomainReceivesMail(@Autowired BounceDomain bounce) {
        DNS.remove(bounce.name());
        DNS.mx(bounce.name(), 10, "mx." + bounce.name());
    }

    /** A master with a domain of its own name; answers the master, its domain id and the records to publish. */
    private record Setup(Master master, long domainId, String domain, Map<String, JsonNode> records) {

        String name(String purpose) {
            return records.get(purpose).get("name").asString();
        }

        String value(String purpose) {
            return records.get(purpose).get("value").asString();
        }
    }

    private Setup domain() {
        Master master = master("pro-1000");
        String domain = "d" + UUID.randomUUID().toString().substring(0, 8) + ".shop.example";
        JsonNode added = master.api().post("/api/v1/domains", "{\"domain\":\"" + domain + "\"}").json();
        Map<String, JsonNode> records = new java.util.LinkedHashMap<>();
        added.get("dnsRecords").forEach(r -> records.put(r.get("purpose").asString(), r));
        return new Setup(master, added.get("id").asLong(), domain, records);
    }

    private void publishAll(Setup setup) {
        for (String purpose : List.of("DKIM", "SPF", "DMARC")) {
            DNS.txt(setup.name(purpose), setup.value(purpose));
        }
    }

    private static Map<String, Element> results(Document page, long domainId) {
        return page.select("#dns-check-" + domainId + " li.dns-check-result").stream()
                .collect(Collectors.toMap(li -> li.attr("data-purpose"), li -> li));
    }

    private Map<String, DomainCheck.Status> stored(Setup setup) {
        return verification.checks(id(setup.master().id()), setup.domainId()).stream()
                .collect(Collectors.toMap(DomainCheck::purpose, DomainCheck::status));
    }

    @Test
    @DisplayName("Every record published as asked: \"Check now\" (htmx) shows each verified, and the check is kept with its time")
    void recordsPresent() {
        Setup setup = domain();
        publishAll(setup);
        // An SPF record that names other senders too, with an explicit + qualifier: still ours.
        DNS.remove(setup.name("SPF"));
        DNS.txt(setup.name("SPF"), "v=spf1 include:_spf.other.example +include:spf.mailtree.localhost ~all");
        DNS.txt(setup.name("SPF"), "google-site-verification=abc");
        WebSession web = signInAsOwner(setup.master());
        web.get("/senders");

        java.time.Instant asked = clock().instant();
        WebSession.Page answer = web.header("HX-Request", "true")
                .post("/senders/domains/" + setup.domainId() + "/check", Map.of());
        assertThat(answer.status()).isEqualTo(200);
        Document fragment = Jsoup.parse(answer.body());
        assertThat(fragment.select("header, h1")).as("the fragment alone, for htmx to swap in").isEmpty();
        Map<String, Element> results = results(fragment, setup.domainId());
        assertThat(results.keySet()).containsExactlyInAnyOrder("DKIM", "SPF", "DMARC", "RETURN-PATH");
        results.values().forEach(li -> assertThat(li.attr("data-status")).as(li.text()).isEqualTo("VERIFIED"));

        assertThat(stored(setup)).containsOnly(Map.entry("DKIM", DomainCheck.Status.VERIFIED),
                Map.entry("SPF", DomainCheck.Status.VERIFIED), Map.entry("DMARC", DomainCheck.Status.VERIFIED),
                Map.entry("RETURN-PATH", DomainCheck.Status.VERIFIED));
        assertThat(jdbc.sql("select dns_checked_at from sending_domain where id = ?").param(setup.domainId())
                .query(java.time.OffsetDateTime.class).single().toInstant()).isBetween(asked.minusMillis(1), clock().instant());
        assertThat(verification.hasVerifiedDomain(id(setup.master().id()))).isTrue();
        Document page = Jsoup.parse(web.get("/senders").body());
        assertThat(results(page, setup.domainId()).get("DKIM").attr("data-status")).isEqualTo("VERIFIED");
        assertThat(page.select("#dns-check-" + setup.domainId() + " .dns-checked-at").text()).startsWith("Checked on");
    }

    @Test
    @DisplayName("Nothing published: DKIM, SPF and DMARC are missing; the page, in French, says so")
    void recordsMissing() {
        Setup setup = domain();
        WebSession web = signInAsOwner(setup.master());
        web.get("/senders");
        WebSession.Page redirect = web.post("/senders/domains/" + setup.domainId() + "/check", Map.of());
        assertThat(redirect.status()).isEqualTo(302);
        assertThat(redirect.location()).endsWith("/senders#domain-" + setup.domainId());
        assertThat(stored(setup)).containsEntry("DKIM", DomainCheck.Status.MISSING)
                .containsEntry("SPF", DomainCheck.Status.MISSING).containsEntry("DMARC", DomainCheck.Status.MISSING)
                .containsEntry("RETURN-PATH", DomainCheck.Status.VERIFIED);
        assertThat(verification.hasVerifiedDomain(id(setup.master().id()))).isFalse();
        Document page = Jsoup.parse(web.get("/senders?lang=fr").body());
        Element dkim = results(page, setup.domainId()).get("DKIM");
        assertThat(dkim.select(".check-status").text()).isEqualTo("Absent");
        assertThat(dkim.text()).contains("Attendu : p=" + setup.value("DKIM").substring("v=DKIM1; k=rsa; p=".length()));
    }

    @Test
    @DisplayName("Records that are there but wrong: another DKIM key, SPF without our include or twice, a DMARC without a policy; each says what was found")
    void recordsWrong() {
        Setup setup = domain();
        DNS.txt(setup.name("DKIM"), "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAother");
        DNS.txt(setup.name("SPF"), "v=spf1 include:spf.elsewhere.example -all");
        DNS.txt(setup.name("DMARC"), "v=DMARC1; rua=mailto:reports@" + setup.domain());
        List<DomainCheck> checks = verification.checkNow(id(setup.master().id()), setup.domainId());
        Map<String, DomainCheck> byPurpose = checks.stream().collect(Collectors.toMap(DomainCheck::purpose, c -> c));
        assertThat(byPurpose.get("DKIM").status()).isEqualTo(DomainCheck.Status.WRONG);
        assertThat(byPurpose.get("DKIM").found()).endsWith("AAOCAQ8AMIIBCgKCAQEAother");
        assertThat(byPurpose.get("SPF").status()).isEqualTo(DomainCheck.Status.WRONG);
        assertThat(byPurpose.get("SPF").found()).isEqualTo("v=spf1 include:spf.elsewhere.example -all");
        assertThat(byPurpose.get("SPF").expected()).isEqualTo("include:spf.mailtree.localhost");
        assertThat(byPurpose.get("DMARC").status()).isEqualTo(DomainCheck.Status.WRONG);

        // Fixing SPF by adding a second record makes two SPF records: receivers then trust neither (RFC 7208 §4.5).
        DNS.txt(setup.name("SPF"), setup.value("SPF"));
        DNS.remove(setup.name("DKIM"));
        DNS.txt(setup.name("DKIM"), setup.value("DKIM"));
        Map<String, DomainCheck.Status> again = verification.checkNow(id(setup.master().id()), setup.domainId()).stream()
                .collect(Collectors.toMap(DomainCheck::purpose, DomainCheck::status));
        assertThat(again).containsEntry("SPF", DomainCheck.Status.WRONG).containsEntry("DKIM", DomainCheck.Status.VERIFIED);

        WebSession web = signInAsOwner(setup.master());
        Element spf = results(Jsoup.parse(web.get("/senders").body()), setup.domainId()).get("SPF");
        assertThat(spf.select(".check-status").text()).isEqualTo("Wrong");
        assertThat(spf.text()).contains("Found: v=spf1 include:spf.elsewhere.example -all | v=spf1 include:spf.mailtree.localhost ~all");
    }

    @Test
    @DisplayName("A DNS server that fails is not a removed record: the check says it could not tell")
    void lookupFailure() {
        Setup setup = domain();
        publishAll(setup);
        DNS.failing(setup.name("DMARC"), true);
        try {
            Map<String, DomainCheck> checks = verification.checkNow(id(setup.master().id()), setup.domainId()).stream()
                    .collect(Collectors.toMap(DomainCheck::purpose, c -> c));
            assertThat(checks.get("DMARC").status()).isEqualTo(DomainCheck.Status.FAILED);
            assertThat(checks.get("DMARC").found()).contains("SERVFAIL");
            assertThat(checks.get("DKIM").status()).isEqualTo(DomainCheck.Status.VERIFIED);
            assertThat(verification.hasVerifiedDomain(id(setup.master().id()))).isFalse();
        } finally {
            DNS.failing(setup.name("DMARC"), false);
        }
    }

    @Test
    @DisplayName("The periodic re-check notices a record removed after it was verified, once the interval has passed")
    void periodicRecheckNoticesRemoval() {
        Setup setup = domain();
        publishAll(setup);
        verification.checkNow(id(setup.master().id()), setup.domainId());
        assertThat(stored(setup)).containsEntry("DKIM", DomainCheck.Status.VERIFIED);

        DNS.remove(setup.name("DKIM"));
        advanceClock(settings.recheckInterval().minusMinutes(1));
        // Before the interval the re-check leaves a verified domain alone (it runs every second here).
        Eventually.within(Duration.ofSeconds(30), () -> assertThat(
                jdbc.sql("select count(*) from sending_domain where dns_checked_at is null").query(Long.class).single())
                .isZero());
        assertThat(stored(setup)).containsEntry("DKIM", DomainCheck.Status.VERIFIED);

        advanceClock(Duration.ofMinutes(2));
        // Every domain of the run is now due, the oldest checks first and this one last: on a full run that is
        // hundreds of domains of other tests, hence the generous wait.
        Eventually.within(Duration.ofSeconds(60),
                () -> assertThat(stored(setup)).containsEntry("DKIM", DomainCheck.Status.MISSING)
                        .containsEntry("SPF", DomainCheck.Status.VERIFIED));
        assertThat(verification.hasVerifiedDomain(id(setup.master().id()))).isFalse();
    }

    @Test
    @DisplayName("The API checks a domain on POST /api/v1/domains/{id}/check and shows the last check on every read")
    void apiCheck() {
        Setup setup = domain();
        publishAll(setup);
        DNS.remove(setup.name("DMARC"));
        JsonNode checked = setup.master().api().post("/api/v1/domains/" + setup.domainId() + "/check", "").json();
        Map<String, String> statuses = new java.util.HashMap<>();
        checked.get("dnsChecks").forEach(c -> statuses.put(c.get("purpose").asString(), c.get("status").asString()));
        assertThat(statuses).containsEntry("DKIM", "VERIFIED").containsEntry("SPF", "VERIFIED")
                .containsEntry("DMARC", "MISSING").containsEntry("RETURN-PATH", "VERIFIED");
        JsonNode read = setup.master().api().get("/api/v1/domains/" + setup.domainId()).json();
        assertThat(read.get("dnsChecks").size()).isEqualTo(4);
        assertThat(read.get("dnsChecks").get(0).get("checkedAt").isNull()).isFalse();
        Master intruder = master("pro-1000");
        assertThat(intruder.api().post("/api/v1/domains/" + setup.domainId() + "/check", "").code())
                .isEqualTo("domain_not_found");
        assertThat(intruder.api().post("/api/v1/domains/x/check", "").status()).isEqualTo(404);
    }

    @Test
    @DisplayName("Tenancy: checking another account's domain answers 404, without the domain in the answer")
    void anotherAccountsDomain() {
        Setup setup = domain();
        Master intruder = master("pro-1000");
        WebSession web = signInAsOwner(intruder);
        web.get("/senders");
        WebSession.Page refused = web.header("HX-Request", "true")
                .post("/senders/domains/" + setup.domainId() + "/check", Map.of());
        assertThat(refused.status()).isEqualTo(404);
        assertThat(refused.body()).doesNotContain(setup.domain());
        assertThat(web.post("/senders/domains/not-a-number/check", Map.of()).status()).isEqualTo(404);
        assertThat(verification.checks(id(intruder.id()), setup.domainId())).isEmpty();
        assertThat(verification.checksOf(id(intruder.id()))).isEmpty();
    }
}
