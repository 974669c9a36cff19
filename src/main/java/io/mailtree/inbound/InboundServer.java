package io.mailtree.inbound;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.TooMuchDataException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The SMTP server of the bounce domain (port {@code MAILTREE_INBOUND_PORT}, default 2525; 0 turns
 * it off): accepts mail only for addresses of that domain (VERP bounces and feedback loops), hands
 * each message to {@link ReportIntake}, and keeps serving whatever a message holds.
 */
@Component
class InboundServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InboundServer.class);
    private static final int MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

    private final ReportIntake intake;
    private final int port;
    private final String bounceDomain;
    private SMTPServer server;

    InboundServer(ReportIntake intake, @Value("${mailtree.inbound-port:2525}") int port,
            @Value("${mailtree.bounce-domain:bounces.mailtree.localhost}") String bounceDomain) {
        this.intake = intake;
        this.port = port;
        this.bounceDomain = bounceDomain.toLowerCase(Locale.ROOT);
    }

    private MessageHandler handler(MessageContext context) {
        return new MessageHandler() {
            private final List<String> recipients = new ArrayList<>();

            @Override
            public void from(String from) {
                // Bounces come from the null sender; anything is accepted as sender.
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
                byte[] raw = data.readNBytes(MAX_MESSAGE_BYTES + 1);
                if (raw.length > MAX_MESSAGE_BYTES) {
                    throw new TooMuchDataException("5.3.4 Reports are limited to 10 MB");
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
                .maxMessageSize(MAX_MESSAGE_BYTES).maxRecipients(10)
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
