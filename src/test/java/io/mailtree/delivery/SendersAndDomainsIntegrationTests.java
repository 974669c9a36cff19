package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Sender addresses confirmed by e-mail; sending domains with DKIM keys and the DNS records to publish. */
class SendersAndDomainsIntegrationTests extends MailtreeTestBase {

    @Autowired
    Senders senders;

    @Autowired
    SendingDomains domains;

    @Test
    @DisplayName("A sender is confirmed by the link e-mailed to it; until then it cannot be used")
    void senderConfirmation() {
        Master master = master("pro-1000");
        String address = uniqueEmail("news");
        JsonNode sender = master.api().post("/api/v1/senders", "{\"email\":\"" + address + "\",\"name\":\"News\"}").json();
        assertThat(sender.get("verifiedAt").isNull()).isTrue();
        assertThat(senders.isVerified(id(master.id()), address)).isFalse();

        String link = linkIn(awaitMailTo(address, 1), "/senders/confirm");
        WebSession anyone = new WebSession(port);
        assertThat(anyone.get(link.substring(0, link.length() - 3) + "xyz").body()).contains("id=\"sender-not-confirmed\"");
        // Opening the link (as a mail scanner does) only shows the button; pressing it confirms.
        assertThat(anyone.get(link).body()).contains("id=\"sender-confirm-submit\"").doesNotContain("id=\"sender-confirmed\"");
        assertThat(senders.isVerified(id(master.id()), address)).isFalse();
        assertThat(anyone.confirm(link).body()).contains("id=\"sender-confirmed\"");
        assertThat(senders.isVerified(id(master.id()), address)).isTrue();
        assertThat(master.api().get("/api/v1/senders").json().get("items").get(0).get("verifiedAt").isNull()).isFalse();
        assertThat(senders.isVerified(id(master("pro-1000").id()), address)).as("confirmed for its account only").isFalse();
    }

    @Test
    @DisplayName("Bad sender input is refused; another account's senders and domains answer 404")
    void badInputAndTenancy() {
        Master owner = master("pro-1000");
        Master intruder = master("pro-1000");
        assertThat(owner.api().post("/api/v1/senders", "{\"email\":\"not-an-address\"}").code()).isEqualTo("invalid_email");
        assertThat(owner.api().post("/api/v1/senders", "{\"email\":\"a@example.test\",\"name\":\"A\\r\\nBcc: x\"}").code())
                .isEqualTo("invalid_header");
        long sender = owner.api().post("/api/v1/senders", "{\"email\":\"" + uniqueEmail("s") + "\"}").json().get("id")
                .asLong();
        long domain = owner.api().post("/api/v1/domains", "{\"domain\":\"mail.owner.example\"}").json().get("id").asLong();
        assertThat(intruder.api().send("DELETE", "/api/v1/senders/" + sender, null).code()).isEqualTo("sender_not_found");
        assertThat(intruder.api().get("/api/v1/domains/" + domain).code()).isEqualTo("domain_not_found");
        assertThat(intruder.api().send("DELETE", "/api/v1/domains/" + domain, null).status()).isEqualTo(404);
        assertThat(owner.api().get("/api/v1/domains/" + domain).status()).isEqualTo(200);
        assertThat(owner.api().post("/api/v1/domains", "{\"domain\":\"-bad-.example\"}").code()).isEqualTo("invalid_domain");
        assertThat(owner.api().post("/api/v1/domains", "{\"domain\":\"localhost\"}").code()).isEqualTo("invalid_domain");
        assertThat(owner.api().post("/api/v1/domains", "{\"domain\":\"mail.owner.example\"}").code()).isEqualTo("domain_exists");
    }

    @Test
    @DisplayName("A domain gets an RSA-2048 DKIM key: the published record verifies what the kept key signs")
    void domainDkimKeyAndRecords() throws Exception {
        Master master = master("pro-1000");
        JsonNode domain = master.api().post("/api/v1/domains", "{\"domain\":\"News.Shop.Example\"}").json();
        assertThat(domain.get("domain").asString()).isEqualTo("news.shop.example");
        JsonNode records = domain.get("dnsRecords");
        JsonNode dkim = records.get(0);
        assertThat(dkim.get("name").asString()).isEqualTo("mt1._domainkey.news.shop.example");
        assertThat(dkim.get("value").asString()).startsWith("v=DKIM1; k=rsa; p=");
        assertThat(records.get(1).get("value").asString()).startsWith("v=spf1 include:");
        assertThat(records.get(2).get("name").asString()).isEqualTo("_dmarc.news.shop.example");

        var key = domains.signingKey(id(master.id()), "news.shop.example").orElseThrow();
        assertThat(key.privateKey().getModulus().bitLength()).isEqualTo(2048);
        byte[] payload = "dkim-signed headers".getBytes();
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(key.privateKey());
        signer.update(payload);
        byte[] signature = signer.sign();
        String published = dkim.get("value").asString().substring("v=DKIM1; k=rsa; p=".length());
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(KeyFactory.getInstance("RSA").generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode(published))));
        verifier.update(payload);
        assertThat(verifier.verify(signature)).isTrue();
        assertThat(master.api().get("/api/v1/domains").body()).doesNotContain(
                Base64.getEncoder().encodeToString(key.privateKey().getEncoded()).substring(0, 40));
    }
}
