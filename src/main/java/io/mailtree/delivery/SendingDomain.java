package io.mailtree.delivery;

import java.time.Instant;
import java.util.List;

/**
 * A domain an account sends from, with its DKIM selector and public key (the private key stays
 * inside), and the public key of its optional Ed25519 second signature (null when off).
 */
public record SendingDomain(long id, String domain, String selector, String publicKey, String ed25519PublicKey,
        Instant createdAt) {

    /** The selector of the Ed25519 signature, beside {@link #selector()} for RSA. */
    public static final String ED25519_SELECTOR = "mt2";

    public boolean ed25519() {
        return ed25519PublicKey != null;
    }

    /** A DNS record to publish. */
    public record DnsRecord(String purpose, String type, String name, String value) {
    }

    /**
     * The records to publish: the DKIM key, an SPF include for the relay, and DMARC advice to start
     * in monitoring mode.
     */
    public List<DnsRecord> dnsRecords(String spfInclude) {
        List<DnsRecord> records = new java.util.ArrayList<>();
        records.add(new DnsRecord("DKIM", "TXT", selector + "._domainkey." + domain, "v=DKIM1; k=rsa; p=" + publicKey));
        if (ed25519()) {
            records.add(new DnsRecord("DKIM-ED25519", "TXT", ED25519_SELECTOR + "._domainkey." + domain,
                    "v=DKIM1; k=ed25519; p=" + ed25519PublicKey));
        }
        records.add(new DnsRecord("SPF", "TXT", domain, "v=spf1 include:" + spfInclude + " ~all"));
        records.add(new DnsRecord("DMARC", "TXT", "_dmarc." + domain,
                "v=DMARC1; p=none; rua=mailto:dmarc-reports@" + domain));
        return List.copyOf(records);
    }
}
