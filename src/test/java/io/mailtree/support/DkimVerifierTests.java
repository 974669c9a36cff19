package io.mailtree.support;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;
import org.simplejavamail.utils.mail.dkim.SigningAlgorithm;

class DkimVerifierTests {

    private static final String BODY = "Hello reader,\n\n"
            + "Our spring sale starts today   with   prices you will not believe. ".repeat(4) + "   \n"
            + "Every line of this paragraph is long enough to be folded by a careless mail client, and it ends "
            + "with trailing spaces that relaxed canonicalisation must ignore.    \n\n"
            + "Unsubscribe at any time.\n\n\n";

    private static KeyPair keys;

    @BeforeAll
    static void generateKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
    }

    @Test
    void aRelaxedSignatureVerifiesWithThePublishedKey() throws Exception {
        DkimVerifier.Result result = DkimVerifier.verify(signed(Canonicalization.RELAXED, Canonicalization.RELAXED),
                keys.getPublic());

        assertThat(result.valid()).as(result.reason()).isTrue();
        assertThat(result.reason()).isNull();
        assertThat(result.domain()).isEqualTo("shop.example");
        assertThat(result.selector()).isEqualTo("mt1");
        assertThat(result.signedHeaders()).contains("from", "to", "subject", "date", "message-id", "list-unsubscribe",
                "list-unsubscribe-post");
    }

    @ParameterizedTest
    @CsvSource({"SIMPLE, SIMPLE", "SIMPLE, RELAXED", "RELAXED, SIMPLE", "RELAXED, RELAXED"})
    void everyCanonicalisationVerifies(Canonicalization headers, Canonicalization body) throws Exception {
        DkimVerifier.Result result = DkimVerifier.verify(signed(headers, body), keys.getPublic());

        assertThat(result.valid()).as(result.reason()).isTrue();
    }

    @Test
    void anotherKeyDoesNotVerify() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);

        DkimVerifier.Result result = DkimVerifier.verify(signed(Canonicalization.RELAXED, Canonicalization.RELAXED),
                generator.generateKeyPair().getPublic());

        assertThat(result.valid()).isFalse();
        assertThat(result.reason()).isEqualTo("the signature does not match the headers");
    }

    @Test
    void anAlteredSubjectDoesNotVerify() throws Exception {
        String message = text(signed(Canonicalization.RELAXED, Canonicalization.RELAXED));

        DkimVerifier.Result result = DkimVerifier.verify(bytes(message.replace("Subject: Our spring sale",
                "Subject: Our spring sale!")), keys.getPublic());

        assertThat(result.valid()).isFalse();
        assertThat(result.reason()).isEqualTo("the signature does not match the headers");
    }

    @Test
    void oneAlteredBodyCharacterDoesNotVerify() throws Exception {
        String message = text(signed(Canonicalization.RELAXED, Canonicalization.RELAXED));
        assertThat(message).containsOnlyOnce("Unsubscribe at any time.");

        DkimVerifier.Result result = DkimVerifier.verify(bytes(message.replace("Unsubscribe at any time.",
                "Unsubscribe at any time!")), keys.getPublic());

        assertThat(result.valid()).isFalse();
        assertThat(result.reason()).isEqualTo("the body hash does not match");
    }

    @Test
    void relaxedCanonicalisationToleratesWhitespaceChangesAndBareLineFeeds() throws Exception {
        String message = text(signed(Canonicalization.RELAXED, Canonicalization.RELAXED));
        String rewritten = message.replace("Unsubscribe at any time.", "Unsubscribe  at any\ttime.   ")
                .replace("\r\n", "\n");

        assertThat(DkimVerifier.verify(bytes(rewritten), keys.getPublic()).valid()).isTrue();
    }

    @Test
    void simpleCanonicalisationDoesNotTolerateWhitespaceChanges() throws Exception {
        String message = text(signed(Canonicalization.SIMPLE, Canonicalization.SIMPLE));

        DkimVerifier.Result result = DkimVerifier.verify(bytes(message.replace("Unsubscribe at any time.",
                "Unsubscribe at any time. ")), keys.getPublic());

        assertThat(result.valid()).isFalse();
        assertThat(result.reason()).isEqualTo("the body hash does not match");
    }

    @Test
    void anUnsignedMessageIsInvalid() {
        DkimVerifier.Result result = DkimVerifier.verify(bytes("From: a@shop.example\r\n\r\nhello\r\n"),
                keys.getPublic());

        assertThat(result.valid()).isFalse();
        assertThat(result.reason()).isEqualTo("no DKIM-Signature header with a=rsa-sha256");
    }

    private static byte[] signed(Canonicalization headers, Canonicalization body) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setFrom(new InternetAddress("news@shop.example", "Shop News"));
        message.setRecipients(Message.RecipientType.TO, "reader@example.com");
        message.setSubject("Our spring sale");
        message.setSentDate(Date.from(Instant.parse("2025-01-14T10:15:00Z")));
        message.setHeader("List-Unsubscribe",
                "<https://mailtree.example/u/abc123>, <mailto:unsubscribe+abc123@bounce.example>");
        message.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.setText(BODY, "UTF-8");
        message.saveChanges();
        // saveChanges() replaces the Message-ID, so ours is set after it.
        message.setHeader("Message-ID", "<m-42.1736849700@mailtree.example>");

        DkimSigner signer = new DkimSigner("shop.example", "mt1", (RSAPrivateKey) keys.getPrivate());
        signer.setHeaderCanonicalization(headers);
        signer.setBodyCanonicalization(body);
        signer.setSigningAlgorithm(SigningAlgorithm.SHA256_WITH_RSA);
        signer.setCheckDomainKey(false);
        signer.addHeaderToSign("List-Unsubscribe");
        signer.addHeaderToSign("List-Unsubscribe-Post");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DkimMessage(message, signer).writeTo(out);
        return out.toByteArray();
    }

    private static String text(byte[] message) {
        return new String(message, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String message) {
        return message.getBytes(StandardCharsets.ISO_8859_1);
    }
}
