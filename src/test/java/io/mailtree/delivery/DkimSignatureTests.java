package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.DkimVerifier;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;

/**
 * Mailtree's own DKIM signer, checked three ways: by the test verifier (as a receiver would), against
 * the body hashes of RFC 6376's definitions and of an independent implementation (the mail library
 * Mailtree used before), and by tampering that must break the signature.
 */
class DkimSignatureTests {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private static KeyPair rsa;
    private static KeyPair ed25519;

    @BeforeAll
    static void generateKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        rsa = generator.generateKeyPair();
        ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    private static String message(String body) {
        return "From: Shop <news@shop.example>\r\n"
                + "To: reader@example.org\r\n"
                + "Subject: Spring   sale,\r\n\tfolded   over two lines\r\n"
                + "Date: Wed, 2 Dec 2026 10:00:00 +0000\r\n"
                + "Message-ID: <1@shop.example>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "List-Unsubscribe: <https://shop.example/u/1>\r\n"
                + "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
                + "X-Not-Signed: anything\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n"
                + "\r\n" + body;
    }

    private static final String BODY = "Hello reader,\r\n\r\nOur sale   starts\ttoday.   \r\n \r\nBye\r\n\r\n\r\n";

    private static DkimSignature.Keys keys(boolean withEd25519) {
        return new DkimSignature.Keys("shop.example", "mt1", rsa.getPrivate(), withEd25519 ? "mted1" : null,
                withEd25519 ? ed25519.getPrivate() : null);
    }

    private static byte[] sign(String message, boolean relaxedBody, boolean withEd25519) throws Exception {
        return DkimSignature.sign(message.getBytes(StandardCharsets.UTF_8), keys(withEd25519), relaxedBody, NOW);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @DisplayName("D-30: an RSA signature with a simple or relaxed body verifies with the published key")
    void d30_rsaSignatureVerifies(boolean relaxedBody) throws Exception {
        DkimVerifier.Result result = DkimVerifier.verify(sign(message(BODY), relaxedBody, false), rsa.getPublic());

        assertThat(result.valid()).as(result.reason()).isTrue();
        assertThat(result.domain()).isEqualTo("shop.example");
        assertThat(result.selector()).isEqualTo("mt1");
        assertThat(result.signedHeaders()).containsSubsequence("from", "subject", "date", "message-id", "to",
                "mime-version", "content-type", "list-unsubscribe", "list-unsubscribe-post");
        assertThat(result.signedHeaders()).doesNotContain("x-not-signed");
    }

    @Test
    @DisplayName("The Ed25519 signature (RFC 8463) and the RSA one each verify on the same message")
    void bothSignaturesVerify() throws Exception {
        byte[] signed = sign(message(BODY), false, true);

        assertThat(DkimVerifier.verify(signed, rsa.getPublic(), "rsa-sha256").valid()).isTrue();
        DkimVerifier.Result ed = DkimVerifier.verify(signed, ed25519.getPublic(), "ed25519-sha256");
        assertThat(ed.valid()).as(ed.reason()).isTrue();
        assertThat(ed.selector()).isEqualTo("mted1");
        assertThat(new String(signed, StandardCharsets.ISO_8859_1)).startsWith("DKIM-Signature: v=1; a=ed25519-sha256;");
    }

    @Test
    @DisplayName("A changed body, a changed signed header or an added From breaks the signature")
    void tamperingBreaksTheSignature() throws Exception {
        String signed = new String(sign(message(BODY), false, false), StandardCharsets.ISO_8859_1);

        assertThat(verify(signed.replace("Our sale", "Our SALE")).reason()).isEqualTo("the body hash does not match");
        assertThat(verify(signed.replace("Subject: Spring", "Subject: Autumn")).valid()).isFalse();
        // From is signed once more than it occurs: a second From added on the way does not verify.
        assertThat(verify(signed.replace("To: reader", "From: Someone <x@evil.example>\r\nTo: reader")).valid())
                .isFalse();
        // A header that is not signed may change.
        assertThat(verify(signed.replace("X-Not-Signed: anything", "X-Not-Signed: other")).valid()).isTrue();
    }

    private static DkimVerifier.Result verify(String message) {
        return DkimVerifier.verify(message.getBytes(StandardCharsets.ISO_8859_1), rsa.getPublic());
    }

    @Test
    @DisplayName("Body hashes of an empty body follow RFC 6376: simple hashes one CRLF, relaxed hashes nothing")
    void emptyBodyHashes() {
        byte[] headersOnly = "From: a@b.example\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        int start = DkimSignature.bodyStart(headersOnly);

        assertThat(b64(DkimSignature.bodyHash(headersOnly, start, false)))
                .isEqualTo("frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
        assertThat(b64(DkimSignature.bodyHash(headersOnly, start, true)))
                .isEqualTo("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }

    @Test
    @DisplayName("Relaxed body: whitespace runs become one space, line-end whitespace and trailing empty lines go")
    void relaxedBodyCanonicalisation() throws Exception {
        byte[] mime = ("From: a@b.example\r\n\r\n" + BODY).getBytes(StandardCharsets.US_ASCII);
        String expected = "Hello reader,\r\n\r\nOur sale starts today.\r\n\r\nBye\r\n";

        assertThat(DkimSignature.bodyHash(mime, DkimSignature.bodyStart(mime), true))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(expected.getBytes(StandardCharsets.US_ASCII)));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @DisplayName("The body hash equals the one an independent DKIM implementation computes")
    void bodyHashAgreesWithAnotherImplementation(boolean relaxedBody) throws Exception {
        String ours = bh(new String(sign(message(BODY), relaxedBody, false), StandardCharsets.ISO_8859_1));

        DkimSigner signer = new DkimSigner("shop.example", "mt1", (java.security.interfaces.RSAPrivateKey) rsa.getPrivate());
        signer.setBodyCanonicalization(relaxedBody ? Canonicalization.RELAXED : Canonicalization.SIMPLE);
        signer.setCheckDomainKey(false);
        MimeMessage parsed = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(message(BODY).getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DkimMessage(parsed, signer).writeTo(out);

        assertThat(ours).isEqualTo(bh(out.toString(StandardCharsets.ISO_8859_1)));
    }

    @Test
    @DisplayName("A message with bare LF line ends is signed as CRLF, as it goes on the wire")
    void bareLineFeedsAreSignedAsCrlf() throws Exception {
        byte[] signed = sign(message(BODY).replace("\r\n", "\n"), false, false);

        assertThat(new String(signed, StandardCharsets.ISO_8859_1)).doesNotContainPattern("[^\r]\n");
        assertThat(DkimVerifier.verify(signed, rsa.getPublic()).valid()).isTrue();
        assertThat(bh(new String(signed, StandardCharsets.ISO_8859_1)))
                .isEqualTo(bh(new String(sign(message(BODY), false, false), StandardCharsets.ISO_8859_1)));
    }

    @Test
    @DisplayName("Relaxed header canonicalisation lower-cases the name, unfolds and squeezes whitespace")
    void relaxedHeader() {
        assertThat(DkimSignature.relaxed("SubJect :  Spring   sale,\r\n\tfolded  ")).isEqualTo("subject:Spring sale, folded");
        assertThat(DkimSignature.relaxed("X-Empty:   ")).isEqualTo("x-empty:");
    }

    private static String bh(String message) {
        Matcher matcher = Pattern.compile("bh=([^;]+);").matcher(message);
        assertThat(matcher.find()).as("a bh= tag in %s", message).isTrue();
        return matcher.group(1).replaceAll("\\s", "");
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
