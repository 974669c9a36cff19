package io.mailtree.delivery;

import java.time.Instant;
import java.util.List;

/** A domain an account sends from, with its DKIM selector and public key (the private key stays inside). */
public record SendingDomain(long id, String domain, String selector, String publicKey, Instant createdAt) {

    /** A DNS record to publish. */
    public record DnsRecord(String purpose, String type, String name, String value) {
    }

    /**
     * The records to publish: the DKIM key, an SPF include for the relay, and DMARC advice to start
     * in monitoring mode.
     */
    public List<DnsRecord> dnsRecords(String spfInclude) {
        return List.of(
                new DnsRecord("DKIM", "TXT", selector + "._domainkey." + domain, "v=DKIM1; k=rsa; p=" + publicKey),
                new DnsRecord("SPF", "TXT", domain, "v=spf1 include:" + spfInclude + " ~all"),
                new DnsRecord("DMARC", "TXT", "_dmarc." + domain, "v=DMARC1; p=none; rua=mailto:dmarc-reports@" + domain));
    }
}
