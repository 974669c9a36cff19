package io.mailtree.inbound;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of SMTP submission (STARTTLS, RFC 3207): the operator's PKCS12 keystore when one is
 * configured, otherwise a self-signed certificate generated on first start and kept under the data
 * directory, so STARTTLS works out of the box and clients that pin the certificate keep trusting
 * it across restarts. Only TLS 1.2 and 1.3 are offered: older versions have known weaknesses and
 * every maintained mail client speaks 1.2.
 */
final class SubmissionTls {

    private static final Logger log = LoggerFactory.getLogger(SubmissionTls.class);

    /** Where the generated keystore lives, relative to {@code mailtree.data-path}. */
    static final String GENERATED_KEYSTORE = "tls/submission.p12";

    /**
     * The generated keystore's password. It protects nothing a file permission does not: whoever
     * can read the data directory can read this constant. A fixed value keeps the keystore a single
     * self-contained file; operators who want a real secret bring their own keystore.
     */
    static final char[] GENERATED_PASSWORD = "mailtree-generated".toCharArray();

    private static final Duration GENERATED_VALIDITY = Duration.ofDays(3650);
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final SSLContext context;
    private final X509Certificate certificate;
    private final String[] protocols;

    private SubmissionTls(KeyStore keyStore, char[] password) throws GeneralSecurityException {
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keyStore, password);
        context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        certificate = firstKeyCertificate(keyStore);
        List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getProtocols());
        protocols = PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new);
        if (protocols.length == 0) {
            throw new IllegalStateException("this JVM supports neither TLS 1.3 nor TLS 1.2");
        }
    }

    /**
     * The configured keystore, or the generated one under {@code dataPath}.
     *
     * @param keystore a PKCS12 file, blank for the generated certificate
     * @param baseUrl  Mailtree's public address; its host names the generated certificate
     * @throws IllegalStateException when a configured keystore cannot be read: better not to start
     *                               than to offer submission without the certificate the operator chose
     */
    static SubmissionTls load(String keystore, String keystorePassword, String dataPath, String baseUrl, Clock clock) {
        try {
            if (keystore != null && !keystore.isBlank()) {
                char[] password = keystorePassword == null ? new char[0] : keystorePassword.toCharArray();
                SubmissionTls tls = new SubmissionTls(read(Path.of(keystore), password), password);
                log.info("SMTP submission offers STARTTLS with the certificate of {}", tls.certificate.getSubjectX500Principal());
                return tls;
            }
            Path file = Path.of(dataPath).resolve(GENERATED_KEYSTORE);
            return new SubmissionTls(generatedKeyStore(file, host(baseUrl), clock.instant()), GENERATED_PASSWORD);
        } catch (IOException | GeneralSecurityException unreadable) {
            throw new IllegalStateException("the SMTP submission keystore cannot be used: " + unreadable.getMessage(),
                    unreadable);
        }
    }

    /** The certificate clients are shown. */
    X509Certificate certificate() {
        return certificate;
    }

    /** The protocol versions offered, newest first. */
    List<String> protocols() {
        return Collections.unmodifiableList(Arrays.asList(protocols));
    }

    /** Turns the plain connection of a client that said STARTTLS into the server side of a TLS one. */
    SSLSocket wrap(Socket plain) throws IOException {
        // The peer's address as text, not its host name: a reverse DNS lookup per connection is slow and useless here.
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain,
                plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        tls.setUseClientMode(false);
        tls.setEnabledProtocols(protocols);
        return tls;
    }

    private static KeyStore generatedKeyStore(Path file, String host, Instant now)
            throws IOException, GeneralSecurityException {
        if (Files.exists(file)) {
            KeyStore existing = read(file, GENERATED_PASSWORD);
            X509Certificate certificate = firstKeyCertificate(existing);
            if (now.isBefore(certificate.getNotAfter().toInstant())) {
                return existing;
            }
            log.warn("the generated SMTP submission certificate expired on {}; generating a new one",
                    certificate.getNotAfter().toInstant());
        }
        SelfSignedCertificate.Generated generated = SelfSignedCertificate.generate(host, now, GENERATED_VALIDITY);
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("submission", generated.keys().getPrivate(), GENERATED_PASSWORD,
                new Certificate[] {generated.certificate()});
        Files.createDirectories(file.getParent());
        // Written beside its final place and moved there, so a crash never leaves half a keystore.
        Path partial = Files.createTempFile(file.getParent(), "submission", ".p12.tmp");
        try {
            ownerOnly(partial);
            try (OutputStream out = Files.newOutputStream(partial)) {
                keyStore.store(out, GENERATED_PASSWORD);
            }
            try {
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException notAtomic) {
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(partial);
        }
        log.info("SMTP submission generated a self-signed certificate for {} (SHA-256 fingerprint {}); set "
                + "MAILTREE_SUBMISSION_TLS_KEYSTORE to use your own", host, fingerprint(generated.certificate()));
        return keyStore;
    }

    private static KeyStore read(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keyStore.load(in, password);
        }
        return keyStore;
    }

    private static X509Certificate firstKeyCertificate(KeyStore keyStore) throws GeneralSecurityException {
        for (String alias : Collections.list(keyStore.aliases())) {
            if (keyStore.isKeyEntry(alias) && keyStore.getCertificate(alias) instanceof X509Certificate certificate) {
                return certificate;
            }
        }
        throw new GeneralSecurityException("the keystore holds no private key with a certificate");
    }

    private static String host(String baseUrl) {
        try {
            String host = baseUrl == null ? null : URI.create(baseUrl.strip()).getHost();
            return host == null || host.isBlank() ? "localhost" : host;
        } catch (IllegalArgumentException unreadable) {
            return "localhost";
        }
    }

    private static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the data directory's own permissions apply.
        }
    }

    static String fingerprint(X509Certificate certificate) throws GeneralSecurityException {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        StringBuilder hex = new StringBuilder();
        for (byte b : digest) {
            hex.append(hex.isEmpty() ? "" : ":").append(String.format("%02X", b));
        }
        return hex.toString();
    }
}
