package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Properties;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;
import org.simplejavamail.utils.mail.dkim.SigningAlgorithm;
import org.springframework.stereotype.Component;

/**
 * D-30: signs a message once with the DKIM key of its sender's domain (relaxed/relaxed,
 * rsa-sha256), covering From, To, Subject, Date, Message-ID and the List-Unsubscribe headers when
 * present. A message whose domain has no key goes out unsigned.
 */
@Component
class DkimSigning {

    private static final Session SESSION = Session.getInstance(new Properties());

    private final SendingDomains domains;

    DkimSigning(SendingDomains domains) {
        this.domains = domains;
    }

    byte[] sign(AccountId account, String fromEmail, byte[] mime) throws Exception {
        var key = domains.signingKey(account, MessageComposer.domainOf(fromEmail));
        if (key.isEmpty()) {
            return mime;
        }
        DkimSigner signer = new DkimSigner(key.get().domain(), key.get().selector(), key.get().privateKey());
        signer.setHeaderCanonicalization(Canonicalization.RELAXED);
        signer.setBodyCanonicalization(Canonicalization.RELAXED);
        signer.setSigningAlgorithm(SigningAlgorithm.SHA256_WITH_RSA);
        signer.setCheckDomainKey(false);
        signer.addHeaderToSign("List-Unsubscribe");
        signer.addHeaderToSign("List-Unsubscribe-Post");
        MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(mime));
        ByteArrayOutputStream out = new ByteArrayOutputStream(mime.length + 1024);
        new DkimMessage(message, signer).writeTo(out);
        return out.toByteArray();
    }
}
