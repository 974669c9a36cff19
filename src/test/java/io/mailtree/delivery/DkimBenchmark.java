package io.mailtree.delivery;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;
import org.simplejavamail.utils.mail.dkim.SigningAlgorithm;

/**
 * DKIM signing of one composed message (10 KB by default, quoted-printable text and HTML parts), in
 * one thread, three ways side by side: {@code library} is what delivery did before (the mail library
 * parses the message, canonicalises and writes it out again), {@code mailtree} is {@link DkimSignature}
 * over the bytes, and {@code rsaOnly} is the floor: one RSA-2048 signature over a header-sized input,
 * which no signer can avoid. Not a unit test: run it with {@code bench/dkim.sh}.
 */
@State(Scope.Thread)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DkimBenchmark {

    /** Size of the message in bytes. */
    @Param("10240")
    public int messageBytes;

    private static final Session SESSION = Session.getInstance(new Properties());
    private byte[] message;
    private RSAPrivateKey key;
    private DkimSignature.Keys keys;
    private byte[] headerSizedInput;
    private Instant now;

    @Setup
    public void setUp() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        key = (RSAPrivateKey) pair.getPrivate();
        keys = new DkimSignature.Keys("shop.example", "mt1", key, null, null);
        now = Instant.parse("2026-12-02T10:00:00Z");
        String headers = "From: Shop <news@shop.example>\r\nTo: reader@example.org\r\nSubject: Our spring sale\r\n"
                + "Date: Wed, 2 Dec 2026 10:00:00 +0000\r\nMessage-ID: <1.bench@shop.example>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n";
        StringBuilder body = new StringBuilder();
        String paragraph = "Dear reader, our spring sale starts today with prices you will not believe; caf=C3=A9 =\r\n"
                + "and more.\r\n";
        while (headers.length() + body.length() < messageBytes - 200) {
            body.append(paragraph);
        }
        String half = body.substring(0, body.length() / 2);
        message = (headers + "--b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: "
                + "quoted-printable\r\n\r\n" + half + "--b1\r\nContent-Type: text/html; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>" + half + "</p>\r\n--b1--\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        headerSizedInput = new byte[600];
    }

    @Benchmark
    public byte[] library() throws Exception {
        DkimSigner signer = new DkimSigner("shop.example", "mt1", key);
        signer.setSigningAlgorithm(SigningAlgorithm.SHA256_WITH_RSA);
        signer.setHeaderCanonicalization(Canonicalization.RELAXED);
        signer.setBodyCanonicalization(Canonicalization.SIMPLE);
        signer.setCheckDomainKey(false);
        MimeMessage parsed = new MimeMessage(SESSION, new ByteArrayInputStream(message));
        UnsyncBytes out = new UnsyncBytes(message.length + 1024);
        new DkimMessage(parsed, signer).writeTo(out);
        return out.toByteArray();
    }

    @Benchmark
    public byte[] mailtree() throws Exception {
        return DkimSignature.sign(message, keys, false, now);
    }

    @Benchmark
    public byte[] rsaOnly() throws Exception {
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(headerSizedInput);
        return rsa.sign();
    }
}
