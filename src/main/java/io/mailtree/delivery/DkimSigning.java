package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;
import org.simplejavamail.utils.mail.dkim.SigningAlgorithm;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * D-30: signs a message once with the DKIM key of its sender's domain (rsa-sha256), covering From,
 * To, Subject, Date, Message-ID and the List-Unsubscribe headers when present, and a second time
 * with ed25519-sha256 when the domain has that turned on. A message whose domain has no key goes
 * out unsigned.
 *
 * <p>Headers are canonicalised "relaxed"; the body "simple" by default, configurable with
 * {@code mailtree.dkim.body-canonicalization} (ADR 0007): the body bytes are Mailtree's own, CRLF
 * and transfer-encoded, and the library's relaxed body pass was 40 % of a delivery's CPU.
 */
@Component
class DkimSigning {

    private static final Session SESSION = Session.getInstance(new Properties());

    private final SendingDomains domains;
    private final Canonicalization bodyCanonicalization;
    private final java.time.Clock clock;

    DkimSigning(SendingDomains domains, java.time.Clock clock,
            @Value("${mailtree.dkim.body-canonicalization:simple}") String body) {
        this.domains = domains;
        this.clock = clock;
        this.bodyCanonicalization = switch (body.strip().toLowerCase(Locale.ROOT)) {
            case "simple" -> Canonicalization.SIMPLE;
            case "relaxed" -> Canonicalization.RELAXED;
            default -> throw new IllegalArgumentException(
                    "mailtree.dkim.body-canonicalization must be simple or relaxed, not " + body);
        };
    }

    /**
     * The message signed for its sender's domain. A client's own body ({@code clientBody}: submitted
     * over SMTP) is canonicalised relaxed whatever the default: it may hold trailing whitespace that
     * a relay strips.
     */
    byte[] sign(AccountId account, String fromEmail, byte[] mime, boolean clientBody, Keys keys) throws Exception {
        var key = keys.of(account, MessageComposer.domainOf(fromEmail));
        if (key.isEmpty()) {
            return mime;
        }
        DkimSigner rsa = new DkimSigner(key.get().domain(), key.get().selector(), key.get().privateKey());
        rsa.setSigningAlgorithm(SigningAlgorithm.SHA256_WITH_RSA);
        byte[] signed = sign(mime, rsa, clientBody ? Canonicalization.RELAXED : bodyCanonicalization);
        if (key.get().ed25519() != null) {
            // RFC 8463's second signature, over the same headers; receivers that know Ed25519 check it,
            // the others keep to RSA. It goes on top, so it does not cover the RSA signature.
            signed = Ed25519Signature.addTo(signed, key.get().domain(), SendingDomain.ED25519_SELECTOR,
                    key.get().ed25519(), clock.instant());
        }
        return signed;
    }

    /** A fresh memo of signing keys, for one claimed batch. */
    Keys keys() {
        return new Keys();
    }

    /**
     * The signing keys of one batch, each read once: a batch's messages mostly come from a few
     * domains, and reading the key was a query a message. A batch lives seconds, so a key changed
     * meanwhile is picked up by the next one.
     */
    final class Keys {
        private final Map<String, Optional<SendingDomains.SigningKey>> known = new HashMap<>();

        Optional<SendingDomains.SigningKey> of(AccountId account, String domain) {
            return known.computeIfAbsent(account.value() + "/" + domain, k -> domains.signingKey(account, domain));
        }
    }

    private static byte[] sign(byte[] mime, DkimSigner signer, Canonicalization body) throws Exception {
        signer.setHeaderCanonicalization(Canonicalization.RELAXED);
        signer.setBodyCanonicalization(body);
        signer.setCheckDomainKey(false);
        signer.addHeaderToSign("List-Unsubscribe");
        signer.addHeaderToSign("List-Unsubscribe-Post");
        MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(mime));
        UnsyncBytes out = new UnsyncBytes(mime.length + 1024);
        new DkimMessage(message, signer).writeTo(out);
        return out.toByteArray();
    }
}
