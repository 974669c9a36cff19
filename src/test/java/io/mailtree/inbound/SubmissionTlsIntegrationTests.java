package io.mailtree.inbound;

import static io.mailtree.support.SmtpLines.command;
import static io.mailtree.support.SmtpLines.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.access.LoginThrottle;
import io.mailtree.delivery.MessageQueue;
import io.mailtree.keys.ApiKeys;
import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;

/**
 * STARTTLS on SMTP submission (D-29): the generated certificate out of the box and across restarts,
 * an operator's keystore, TLS 1.2 as the floor, and AUTH and MAIL refused before TLS when it is required.
 */
class SubmissionTlsIntegrationTests extends MailtreeTestBase {

    @Value("${mailtree.submission-port}")
    int submissionPort;

    @Value("${mailtree.data-path}")
    String dataPath;

    @Autowired
    ApiKeys keys;

    @Autowired
    MessageQueue queue;

    @Autowired
    LoginThrottle throttle;

    @Autowired
    Clock clockBean;

    /** A master with a confirmed sender: its key (public key, secret), its id and the sender address. */
    private record Sender(String publicKey, String secret, String accountId, String address) {
    }

    private Sender sender(String domain) {
        Api.Response created = operator().post("/api/platform/v1/masters",
                "{\"name\":\"TLS app\",\"ownerEmail\":\"" + uniqueEmail("tls") + "\",\"plan\":\"pro-1000\"}");
        JsonNode key = created.json().get("apiKey");
        Api api = Api.withKey(port, key);
        String address = "app-" + UUID.randomUUID().toString().substring(0, 6) + "@" + domain;
        api.post("/api/v1/senders", "{\"email\":\"" + address + "\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        return new Sender(key.get("publicKey").asString(), key.get("secret").asString(),
                created.json().get("master").get("id").asString(), address);
    }

    /** Sockets that trust exactly {@code certificate}; remembers the last TLS socket it made. */
    private static CapturingFactory trusting(X509Certificate certificate) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("submission", certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return new CapturingFactory(context.getSocketFactory());
    }

    private static Session startTlsSession(String host, int port, SSLSocketFactory factory, boolean checkIdentity) {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", host);
        properties.put("mail.smtp.port", String.valueOf(port));
        properties.put("mail.smtp.auth", "true");
        properties.put("mail.smtp.starttls.enable", "true");
        properties.put("mail.smtp.starttls.required", "true");
        properties.put("mail.smtp.ssl.socketFactory", factory);
        properties.put("mail.smtp.ssl.checkserveridentity", String.valueOf(checkIdentity));
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "10000");
        return Session.getInstance(properties);
    }

    private static Session plainSession(String host, int port) {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", host);
        properties.put("mail.smtp.port", String.valueOf(port));
        properties.put("mail.smtp.auth", "true");
        properties.put("mail.smtp.timeout", "10000");
        return Session.getInstance(properties);
    }

    private static void send(Session session, String host, int port, Sender sender, String to, String subject)
            throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(sender.address()));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText("Sent over STARTTLS.");
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect(host, port, sender.publicKey(), sender.secret());
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    private static MimeMessage arrived(String to, String subject) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (MimeMessage message : TestInfrastructure.SMTP.getReceivedMessages()) {
                if (subject.equals(message.getSubject())
                        && Arrays.stream(message.getAllRecipients()).anyMatch(a -> a.toString().contains(to))) {
                    return message;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no message " + subject + " to " + to);
    }

    private long messagesWithSubject(String accountId, String subject) {
        return jdbc.sql("select count(*) from message where account_id = ? and subject = ?")
                .params(UUID.fromString(accountId), subject).query(Long.class).single();
    }

    private X509Certificate generatedCertificate() throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(dataPath).resolve(SubmissionTls.GENERATED_KEYSTORE))) {
            keyStore.load(in, SubmissionTls.GENERATED_PASSWORD);
        }
        return (X509Certificate) keyStore.getCertificate("submission");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    @DisplayName("D-29: out of the box, a client that requires STARTTLS and trusts the generated certificate submits with AUTH")
    void d29StartTlsWithTheGeneratedCertificate() throws Exception {
        Sender sender = sender("tls.example.test");
        X509Certificate certificate = generatedCertificate();
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(((RSAPublicKey) certificate.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withRSA");

        CapturingFactory factory = trusting(certificate);
        String to = uniqueEmail("tls-reader");
        // "localhost" with the server identity checked: the generated certificate names the host it is for.
        send(startTlsSession("localhost", submissionPort, factory, true), "localhost", submissionPort, sender, to,
                "Over STARTTLS");

        assertThat(factory.last.get()).as("the connection was upgraded").isNotNull();
        assertThat(factory.last.get().getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
        assertThat(factory.last.get().getSession().getPeerCertificates()[0]).isEqualTo(certificate);
        arrived(to, "Over STARTTLS");
        assertThat(messagesWithSubject(sender.accountId(), "Over STARTTLS")).isEqualTo(1);
    }

    @Test
    @DisplayName("The generated certificate is kept: a restart serves the same one; only TLS 1.2 and 1.3 are offered")
    void generatedCertificateIsStableAndTls12IsTheFloor() throws Exception {
        X509Certificate served = generatedCertificate();
        SubmissionTls restarted = SubmissionTls.load("", "", dataPath, "http://localhost:1", clockBean);
        SubmissionTls again = SubmissionTls.load(null, null, dataPath, "http://localhost:1", clockBean);
        assertThat(restarted.certificate()).isEqualTo(served).isEqualTo(again.certificate());
        assertThat(served.getNotAfter().toInstant()).isAfter(clockBean.instant().plus(Duration.ofDays(3000)));

        assertThat(restarted.protocols()).isNotEmpty().allMatch(p -> p.equals("TLSv1.3") || p.equals("TLSv1.2"));
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                Socket accepted = listener.accept();
                SSLSocket tls = restarted.wrap(accepted)) {
            assertThat(tls.getUseClientMode()).isFalse();
            assertThat(tls.getEnabledProtocols()).isNotEmpty().doesNotContain("TLSv1.1", "TLSv1", "SSLv3")
                    .allMatch(p -> p.equals("TLSv1.3") || p.equals("TLSv1.2"));
        }
    }

    @Test
    @DisplayName("D-29: with TLS required, AUTH and MAIL are refused with 530 before STARTTLS and nothing is queued; "
            + "after STARTTLS with the operator's keystore the message goes through")
    void d29RequireTlsRefusesAuthBeforeStartTls(@TempDir Path directory) throws Exception {
        Sender sender = sender("tls-required.example.test");
        SelfSignedCertificate.Generated own = SelfSignedCertificate.generate("submission.example.test",
                clockBean.instant(), Duration.ofDays(30));
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("operator", own.keys().getPrivate(), "operator-pass".toCharArray(),
                new Certificate[] {own.certificate()});
        Path file = directory.resolve("operator.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            keyStore.store(out, "operator-pass".toCharArray());
        }
        SubmissionTls tls = SubmissionTls.load(file.toString(), "operator-pass", dataPath, "http://localhost:1",
                clockBean);
        assertThat(tls.certificate()).isEqualTo(own.certificate());

        int requiredPort = freePort();
        SubmissionServer required = new SubmissionServer(keys, accountTree, queue, throttle, requiredPort, 1_000_000, tls,
                true);
        required.start();
        try {
            try (Socket socket = new Socket("127.0.0.1", requiredPort)) {
                socket.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII));
                Writer out = new java.io.OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);
                assertThat(reply(in)).startsWith("220");
                String ehlo = command(out, in, "EHLO client.example.test");
                assertThat(ehlo).contains("STARTTLS").doesNotContain("AUTH");
                String plain = Base64.getEncoder().encodeToString(("\0" + sender.publicKey() + "\0" + sender.secret())
                        .getBytes(StandardCharsets.UTF_8));
                assertThat(command(out, in, "AUTH PLAIN " + plain)).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
                assertThat(command(out, in, "MAIL FROM:<" + sender.address() + ">"))
                        .isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
                command(out, in, "QUIT");
            }
            String to = uniqueEmail("tls-required");
            assertThatThrownBy(() -> send(plainSession("127.0.0.1", requiredPort), "127.0.0.1", requiredPort, sender, to,
                    "Without TLS")).isInstanceOf(MessagingException.class).hasMessageContaining("530");
            assertThat(messagesWithSubject(sender.accountId(), "Without TLS")).isZero();

            // The certificate names submission.example.test, not 127.0.0.1: trusted, but the identity not checked.
            send(startTlsSession("127.0.0.1", requiredPort, trusting(own.certificate()), false), "127.0.0.1",
                    requiredPort, sender, to, "With TLS");
            arrived(to, "With TLS");
            assertThat(messagesWithSubject(sender.accountId(), "With TLS")).isEqualTo(1);
        } finally {
            required.stop();
        }
    }

    @Test
    @DisplayName("D-29: STARTTLS after a plain-text AUTH is refused (RFC 3207: nothing learnt before TLS survives it)")
    void startTlsAfterAuthIsRefused() throws Exception {
        Sender sender = sender("late-tls.example.test");
        try (Socket socket = new Socket("127.0.0.1", submissionPort)) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            Writer out = new java.io.OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);
            assertThat(reply(in)).startsWith("220");
            assertThat(command(out, in, "EHLO client.example.test")).contains("STARTTLS").contains("AUTH");
            String plain = Base64.getEncoder().encodeToString(("\0" + sender.publicKey() + "\0" + sender.secret())
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(command(out, in, "AUTH PLAIN " + plain)).startsWith("235");
            assertThat(command(out, in, "STARTTLS")).isEqualTo("503 5.5.1 STARTTLS is not accepted after AUTH; start TLS first");
            assertThat(command(out, in, "NOOP")).startsWith("250");
            command(out, in, "QUIT");
        }
    }

    /** Delegates to a real factory and keeps the last socket, so the test can read what TLS was agreed. */
    private static final class CapturingFactory extends SSLSocketFactory {

        private final SSLSocketFactory delegate;
        final AtomicReference<SSLSocket> last = new AtomicReference<>();

        CapturingFactory(SSLSocketFactory delegate) {
            this.delegate = delegate;
        }

        private Socket keep(Socket socket) {
            if (socket instanceof SSLSocket tls) {
                last.set(tls);
            }
            return socket;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
            return keep(delegate.createSocket(socket, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return keep(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return keep(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return keep(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return keep(delegate.createSocket(address, port, localAddress, localPort));
        }
    }
}
