package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * and transfer-encoded. The signatures are written by {@link DkimSignature} over the message's bytes,
 * without parsing it (ADR 0018).
 */
@Component
class DkimSigning {

    private final SendingDomains domains;
    private final boolean relaxedBody;
    private final java.time.Clock clock;

    DkimSigning(SendingDomains domains, java.time.Clock clock,
            @Value("${mailtree.dkim.body-canonicalization:simple}") String body) {
        this.domains = domains;
        this.clock = clock;
        this.relaxedBody = switch (body.strip().toLowerCase(Locale.ROOT)) {
            case "simple" -> false;
            case "relaxed" -> true;
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
        SendingDomains.SigningKey signing = key.get();
        // RFC 8463's second signature goes over the same headers; receivers that know Ed25519 check it,
        // the others keep to RSA.
        return DkimSignature.sign(mime, new DkimSignature.Keys(signing.domain(), signing.selector(),
                signing.privateKey(), signing.ed25519() == null ? null : SendingDomain.ED25519_SELECTOR,
                signing.ed25519()), clientBody || relaxedBody, clock.instant());
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

}
