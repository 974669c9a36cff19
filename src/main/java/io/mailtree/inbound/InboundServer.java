package io.mailtree.inbound;

import io.mailtree.delivery.BounceDomain;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.TooMuchDataException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The SMTP server of the bounce domain (port {@code MAILTREE_INBOUND_PORT}, default 2525; 0 turns
 * it off): accepts mail only for addresses of that domain (VERP bounces and feedback loops), hands
 * each message to {@link ReportIntake}, and keeps serving whatever a message holds.
 *
 * <p>Anyone can connect, so what one client costs is bounded: at most
 * {@code mailtree.inbound.max-message-bytes} (256 KB) of a message is kept and read, the rest is
 * discarded as it streams in (the machine-readable parts of a report come before the returned
 * original, so a bounce that returns a large message is still understood), and a message longer than
 * 32 MiB (a report about the largest message Mailtree sends, 25 MiB) ends the connection. An address
 * may hold {@code max-connections-per-address} connections and start
 * {@code messages-per-minute} connections and messages a minute ({@link SmtpLimits}); the server
 * holds {@code max-connections} in all.
 */
@Component
class InboundServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InboundServer.class);
    private static final int MAX_STREAM_BYTES = 32 * 1024 * 1024;

    private final ReportIntake intake;
    private final int port;
    private final String bounceDomain;
    private final int maxReportBytes;
    private final int maxConnections;
    private final SmtpLimits limits;
    private SMTPServer server;

    InboundServer(ReportIntake intake, Clock clock, @Value("${mailtree.inbound-port:2525}") int port,
            BounceDomain bounceDomain,
            @Value("${mailtree.inbound.max-message-bytes:262144}") int maxReportBytes,
            @Value("${mailtree.inbound.max-connections:100}") int maxConnections,
            @Value("${mailtree.inbound.max-connections-per-address:10}") int maxConnectionsPerAddress,
            @Value("${mailtree.inbound.messages-per-minute:300}") int messagesPerMinute) {
        if (maxReportBytes < 16 * 1024 || maxReportBytes > MAX_STREAM_BYTES || maxConnections < 1) {
            throw new IllegalArgumentException("mailtree.inbound.max-message-bytes must be between 16384 and "
                    + MAX_STREAM_BYTES + ", and mailtree.inbound.max-connections at least 1");
        }
        this.intake = intake;
        this.port = port;
        this.bounceDomain = bounceDomain.name();
        this.maxReportBytes = maxReportBytes;
        this.maxConnections = maxConnections;
        this.limits = new SmtpLimits(maxConnectionsPerAddress, messagesPerMinute, clock);
    }

    /** The port it listens on, once started (useful when configured as an ephemeral port). */
    int port() {
        return server == null ? -1 : server.getPortAllocated();
    }

    private MessageHandler handler(MessageContext context) {
        return new MessageHandler() {
            private final List<String> recipients = new ArrayList<>();

            @Override
            public void from(String from) throws RejectException {
                // Bounces come from the null sender; anything is accepted as sender, within the address's budget.
                if (!limits.takeMessage(context.getRemoteAddress())) {
                    throw new RejectException(451, "4.7.1 Too many messages from your address; try again later");
                }
            }

            @Override
            public void recipient(String recipient) throws RejectException {
                if (recipient == null || !recipient.toLowerCase(Locale.ROOT).endsWith("@" + bounceDomain)) {
                    throw new RejectException(550, "5.7.1 Relaying denied: this server only takes reports for "
                            + bounceDomain);
                }
                recipients.add(recipient);
            }

            @Override
            public String data(InputStream data) throws RejectException, TooMuchDataException, IOException {
                byte[] raw = data.readNBytes(maxReportBytes);
                long rest = 0;
                byte[] discard = new byte[8192];
                for (int read = data.read(discard); read >= 0; read = data.read(discard)) {
                    rest += read;
                    if (raw.length + rest > MAX_STREAM_BYTES) {
                        throw new DropConnectionException(552, "5.3.4 Message too big for a report; closing");
                    }
                }
                String remote = context.getRemoteAddress() instanceof InetSocketAddress inet
                        ? inet.getAddress().getHostAddress() : String.valueOf(context.getRemoteAddress());
                for (String recipient : recipients) {
                    try {
                        intake.receive(raw, recipient, remote);
                    } catch (RuntimeException unexpected) {
                        log.error("a report for {} could not be recorded", recipient, unexpected);
                        throw new RejectException(451, "4.3.0 Temporary failure; try again later");
                    }
                }
                return null;
            }

            @Override
            public void done() {
            }
        };
    }

    @Override
    public void start() {
        if (port <= 0) {
            log.info("The inbound report server is off (MAILTREE_INBOUND_PORT=0)");
            return;
        }
        server = SMTPServer.port(port).softwareName("Mailtree").serverSocketFactory(NoDelayServerSocket::new)
                .maxMessageSize(MAX_STREAM_BYTES).maxRecipients(10).maxConnections(maxConnections)
                .sessionHandler(limits)
                .connectionTimeout(60, java.util.concurrent.TimeUnit.SECONDS).messageHandlerFactory(this::handler)
                .serverThreadName("smtp-inbound").build();
        server.start();
        log.info("Inbound reports for {} on port {}", bounceDomain, server.getPortAllocated());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
