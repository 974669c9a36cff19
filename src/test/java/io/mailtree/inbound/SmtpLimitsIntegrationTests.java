package io.mailtree.inbound;

import static io.mailtree.support.SmtpLines.reply;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.access.LoginThrottle;
import io.mailtree.delivery.MessageQueue;
import io.mailtree.keys.ApiKeys;
import io.mailtree.support.MailtreeTestBase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * What one client may cost Mailtree's SMTP servers: connections per address, a per-address rate,
 * the part of a report the bounce port reads, and how long reports are kept.
 */
class SmtpLimitsIntegrationTests extends MailtreeTestBase {

    @Autowired
    ReportIntake intake;

    @Autowired
    ReportRetention retention;

    @Autowired
    ApiKeys keys;

    @Autowired
    MessageQueue queue;

    @Autowired
    LoginThrottle throttle;

    @Value("${mailtree.data-path}")
    String dataPath;

    /** An open SMTP connection of the test, speaking line by line. */
    private record Client(Socket socket, BufferedReader in, Writer out, String greeting) implements AutoCloseable {

        static Client open(int port) throws IOException {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            return new Client(socket, in, new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII),
                    reply(in));
        }

        String command(String line) throws IOException {
            out.write(line + "\r\n");
            out.flush();
            return reply(in);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private InboundServer inbound(int perAddress, int perMinute) throws IOException {
        InboundServer server = new InboundServer(intake, clock(), freePort(), new io.mailtree.delivery.BounceDomain("bounces.mailtree.localhost"), 262_144, 100,
                perAddress, perMinute);
        server.start();
        return server;
    }

    private SubmissionServer submission(int perAddress, int perMinute) throws IOException {
        SubmissionServer server = new SubmissionServer(keys, accountTree, queue, throttle, freePort(), 1_000_000,
                SubmissionTls.load("", "", dataPath, "http://localhost:1", clock()), false,
                new SmtpLimits(perAddress, perMinute, clock()));
        server.start();
        return server;
    }

    /** Opens a connection once the server has noticed the ones the test closed (it may take a moment). */
    private static Client openWhenFree(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            Client client = Client.open(port);
            if (client.greeting().startsWith("220") || System.currentTimeMillis() > deadline) {
                return client;
            }
            client.close();
            Thread.sleep(50);
        }
    }

    private void connectionsPerAddressAreCapped(IntFunction<Integer> portOfServerWithTwoPerAddress) throws Exception {
        int port = portOfServerWithTwoPerAddress.apply(2);
        try (Client first = Client.open(port); Client second = Client.open(port)) {
            assertThat(first.greeting()).startsWith("220");
            assertThat(second.greeting()).startsWith("220");
            try (Client third = Client.open(port)) {
                assertThat(third.greeting()).isEqualTo("421 4.7.0 Too many connections from your address; try again later");
                assertThat(third.in().readLine()).as("the refused connection is closed").isNull();
            }
            first.command("QUIT");
        }
        try (Client again = openWhenFree(port)) {
            assertThat(again.greeting()).startsWith("220");
        }
    }

    @Test
    @DisplayName("The inbound server lets one address hold only so many connections; a closed one frees its place")
    void inboundConnectionsPerAddressAreCapped() throws Exception {
        List<InboundServer> started = new ArrayList<>();
        try {
            connectionsPerAddressAreCapped(perAddress -> {
                try {
                    InboundServer server = inbound(perAddress, 0);
                    started.add(server);
                    return server.port();
                } catch (IOException failed) {
                    throw new IllegalStateException(failed);
                }
            });
        } finally {
            started.forEach(InboundServer::stop);
        }
    }

    @Test
    @DisplayName("SMTP submission lets one address hold only so many connections; a closed one frees its place")
    void submissionConnectionsPerAddressAreCapped() throws Exception {
        List<SubmissionServer> started = new ArrayList<>();
        try {
            connectionsPerAddressAreCapped(perAddress -> {
                try {
                    SubmissionServer server = submission(perAddress, 0);
                    started.add(server);
                    return server.port();
                } catch (IOException failed) {
                    throw new IllegalStateException(failed);
                }
            });
        } finally {
            started.forEach(SubmissionServer::stop);
        }
    }

    @Test
    @DisplayName("SMTP submission: past its connections a minute an address is told 421 4.7.0 until the minute refills")
    void submissionConnectionsPerMinuteAreLimited() throws Exception {
        SubmissionServer server = submission(0, 3);
        try {
            for (int i = 0; i < 3; i++) {
                try (Client client = Client.open(server.port())) {
                    assertThat(client.greeting()).startsWith("220");
                }
            }
            try (Client refused = Client.open(server.port())) {
                assertThat(refused.greeting()).isEqualTo(
                        "421 4.7.0 Too many connections from your address in the last minute; try again later");
            }
            advanceClock(Duration.ofSeconds(20));
            try (Client refilled = Client.open(server.port())) {
                assertThat(refilled.greeting()).startsWith("220");
            }
        } finally {
            server.stop();
        }
    }

    @Test
    @DisplayName("The inbound server: past its messages a minute an address is told 451 4.7.1 at MAIL, nothing is stored")
    void inboundMessagesPerMinuteAreLimited() throws Exception {
        InboundServer server = inbound(0, 3);
        String envelope = "bounces+rate-" + UUID.randomUUID().toString().substring(0, 8) + "@bounces.mailtree.localhost";
        try (Client client = Client.open(server.port())) {
            assertThat(client.greeting()).startsWith("220");
            assertThat(client.command("EHLO mx.example.test")).startsWith("250");
            for (int i = 0; i < 2; i++) {
                assertThat(client.command("MAIL FROM:<>")).startsWith("250");
                assertThat(client.command("RCPT TO:<" + envelope + ">")).startsWith("250");
                assertThat(client.command("DATA")).startsWith("354");
                assertThat(client.command("Subject: report " + i + "\r\n\r\nnot a report\r\n.")).startsWith("250");
            }
            assertThat(client.command("MAIL FROM:<>")).isEqualTo("451 4.7.1 Too many messages from your address; try again later");
            advanceClock(Duration.ofMinutes(1));
            assertThat(client.command("MAIL FROM:<>")).startsWith("250");
            client.command("QUIT");
        } finally {
            server.stop();
        }
        assertThat(jdbc.sql("select count(*) from inbound_report where envelope_recipient = ?").param(envelope)
                .query(Long.class).single()).isEqualTo(2);
    }

    @Test
    @DisplayName("The inbound server reads only the first 256 KB of a report and answers 250: what comes after is discarded unread")
    void inboundReadsOnlyTheFirst256KilobytesOfAReport() throws Exception {
        InboundServer server = inbound(0, 0);
        String early = "bounces+early-" + UUID.randomUUID().toString().substring(0, 8) + "@bounces.mailtree.localhost";
        String late = "bounces+late-" + UUID.randomUUID().toString().substring(0, 8) + "@bounces.mailtree.localhost";
        String padding = "This line pads the human-readable part of the report.\r\n".repeat(6_000);
        try (Client client = Client.open(server.port())) {
            client.command("EHLO mx.example.test");
            for (String envelope : List.of(early, late)) {
                String status = """
                        --B\r
                        Content-Type: message/delivery-status\r
                        \r
                        Reporting-MTA: dns; mx.example.test\r
                        \r
                        Final-Recipient: rfc822; someone@example.test\r
                        Action: failed\r
                        Status: 5.1.1\r
                        \r
                        """;
                String text = "--B\r\nContent-Type: text/plain\r\n\r\n" + padding;
                String body = envelope.equals(early) ? status + text : text + status;
                assertThat(client.command("MAIL FROM:<>")).startsWith("250");
                assertThat(client.command("RCPT TO:<" + envelope + ">")).startsWith("250");
                assertThat(client.command("DATA")).startsWith("354");
                assertThat(client.command("Subject: report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; "
                        + "report-type=delivery-status; boundary=\"B\"\r\n\r\n" + body + "--B--\r\n" + padding
                        + padding + "."))
                        .startsWith("250");
            }
            client.command("QUIT");
        } finally {
            server.stop();
        }
        assertThat(jdbc.sql("select kind from inbound_report where envelope_recipient = ?").param(early)
                .query(String.class).single()).isEqualTo("DSN");
        assertThat(jdbc.sql("select problem from inbound_report where envelope_recipient = ?").param(late)
                .query(String.class).single()).isEqualTo("a delivery-status report without a message/delivery-status part");
    }

    @Test
    @DisplayName("Inbound reports are deleted once older than the retention (the history's, 90 days); newer ones stay")
    void inboundReportsArePurgedAfterTheRetention() {
        String old = "bounces+old-" + UUID.randomUUID().toString().substring(0, 8) + "@bounces.mailtree.localhost";
        String recent = "bounces+new-" + UUID.randomUUID().toString().substring(0, 8) + "@bounces.mailtree.localhost";
        byte[] garbage = "Subject: nothing\r\n\r\nnot a report".getBytes(StandardCharsets.US_ASCII);
        intake.receive(garbage, old, "192.0.2.1");
        advanceClock(Duration.ofDays(60));
        intake.receive(garbage, recent, "192.0.2.1");
        advanceClock(Duration.ofDays(31));

        assertThat(retention.runOnce()).isPositive();

        assertThat(jdbc.sql("select count(*) from inbound_report where envelope_recipient = ?").param(old)
                .query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from inbound_report where envelope_recipient = ?").param(recent)
                .query(Long.class).single()).isEqualTo(1);
        assertThat(retention.runOnce()).isZero();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
