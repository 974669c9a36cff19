package io.mailtree.inbound;

import io.mailtree.access.LoginThrottle;
import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.delivery.MessageQueue;
import io.mailtree.keys.ApiKey;
import io.mailtree.keys.ApiKeys;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.Permission;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.TooMuchDataException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * SMTP submission (D-29): applications hand mail to Mailtree over SMTP with AUTH PLAIN or LOGIN,
 * the public key as user name and the secret as password. What is accepted goes into the same queue
 * as the send API, tied to that key. An inactive sub-account's or revoked key's credentials are
 * refused (D-12); repeated wrong secrets are throttled. Port {@code MAILTREE_SUBMISSION_PORT}
 * (default 2587; 0 turns it off).
 */
@Component
class SubmissionServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SubmissionServer.class);

    private final ApiKeys keys;
    private final AccountTree accounts;
    private final MessageQueue queue;
    private final LoginThrottle throttle;
    private final int port;
    private final int maxMessageBytes;
    private SMTPServer server;

    SubmissionServer(ApiKeys keys, AccountTree accounts, MessageQueue queue, LoginThrottle throttle,
            @Value("${mailtree.submission-port:2587}") int port,
            @Value("${mailtree.submission.max-message-bytes:26214400}") int maxMessageBytes) {
        this.keys = keys;
        this.accounts = accounts;
        this.queue = queue;
        this.throttle = throttle;
        this.port = port;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The port it listens on, once started (useful when configured as an ephemeral port). */
    int port() {
        return server == null ? -1 : server.getPortAllocated();
    }

    private void login(String publicKey, String secret, MessageContext context) throws LoginFailedException {
        String address = address(context.getRemoteAddress());
        if (throttle.isBlocked(publicKey, address)) {
            throw new LoginFailedException("too many failed attempts; wait 15 minutes");
        }
        Optional<ApiKey> key = keys.authenticate(publicKey, secret);
        if (key.isEmpty()) {
            throttle.recordFailure(publicKey, address);
            throw new LoginFailedException("authentication failed");
        }
        Account account = accounts.require(key.get().accountId());
        if (!account.isActive()) {
            throw new LoginFailedException("the account " + account.name() + " is deactivated");
        }
        throttle.recordSuccess(publicKey);
    }

    private Caller caller(MessageContext context) throws RejectException {
        Object identity = context.getAuthenticationHandler().map(h -> h.getIdentity()).orElse(null);
        if (identity == null) {
            throw new RejectException(530, "5.7.0 Authentication required");
        }
        // The identity is the public key; the key is read again so a revocation meanwhile is honoured.
        ApiKey key = keys.find(identity.toString()).filter(ApiKey::isActive)
                .orElseThrow(() -> new RejectException(535, "5.7.8 The key is no longer valid"));
        Account account = accounts.require(key.accountId());
        if (!account.isActive()) {
            throw new RejectException(535, "5.7.8 The account is deactivated");
        }
        return new Caller(account.id(), account.id(), account.isMaster(), Caller.Context.DIRECT, key.publicKey(), null,
                key.id(), Permission.all(), address(context.getRemoteAddress()));
    }

    private MessageHandler handler(MessageContext context) {
        return new MessageHandler() {
            private String from;
            private final List<String> recipients = new ArrayList<>();

            @Override
            public void from(String address) throws RejectException {
                caller(context);
                try {
                    from = EmailAddresses.normalise(address);
                } catch (DomainProblem invalid) {
                    throw new RejectException(553, "5.1.7 The sender address is not valid");
                }
            }

            @Override
            public void recipient(String address) throws RejectException {
                try {
                    recipients.add(EmailAddresses.normalise(address));
                } catch (DomainProblem invalid) {
                    throw new RejectException(553, "5.1.3 The recipient address is not valid");
                }
            }

            @Override
            public String data(InputStream data) throws RejectException, TooMuchDataException, IOException {
                byte[] mime = data.readNBytes(maxMessageBytes + 1);
                if (mime.length > maxMessageBytes) {
                    throw new TooMuchDataException("5.3.4 The message is larger than " + maxMessageBytes + " bytes");
                }
                Caller caller = caller(context);
                try {
                    String id = queue.submit(caller, from, recipients, mime);
                    return "2.0.0 Queued as " + id;
                } catch (DomainProblem refused) {
                    throw new RejectException(refused.status() >= 500 ? 451 : 550,
                            (refused.status() >= 500 ? "4.3.0 " : "5.7.1 ") + refused.getMessage());
                } catch (RuntimeException unexpected) {
                    log.error("submission failed", unexpected);
                    throw new RejectException(451, "4.3.0 Temporary failure; try again later");
                }
            }

            @Override
            public void done() {
            }
        };
    }

    private static String address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : String.valueOf(remote);
    }

    @Override
    public void start() {
        if (port <= 0) {
            log.info("SMTP submission is off (MAILTREE_SUBMISSION_PORT=0)");
            return;
        }
        server = SMTPServer.port(port).softwareName("Mailtree")
                .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory(this::login))
                .requireAuth(true).maxRecipients(MessageQueue.MAX_RECIPIENTS).maxMessageSize(maxMessageBytes)
                .connectionTimeout(60, java.util.concurrent.TimeUnit.SECONDS)
                .messageHandlerFactory(this::handler).serverThreadName("smtp-submission").build();
        server.start();
        log.info("SMTP submission listens on port {}", server.getPortAllocated());
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
