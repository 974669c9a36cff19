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
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.TooMuchDataException;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandException;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;

/**
 * SMTP submission (D-29): applications hand mail to Mailtree over SMTP with AUTH PLAIN or LOGIN,
 * the public key as user name and the secret as password. What is accepted goes into the same queue
 * as the send API, tied to that key. An inactive sub-account's or revoked key's credentials are
 * refused (D-12), and so is a rotated-out secret past its grace period (D-17); a successful AUTH
 * records the key's last use and client address. Repeated wrong secrets are throttled. Port {@code MAILTREE_SUBMISSION_PORT}
 * (default 2587; 0 turns it off). STARTTLS is always offered (see {@link SubmissionTls}); with
 * {@code MAILTREE_SUBMISSION_REQUIRE_TLS} (on by default) AUTH and mail are refused until it is up,
 * so secrets never cross the network in clear. One address may hold
 * {@code mailtree.submission.max-connections-per-address} connections at once and open
 * {@code connections-per-minute} a minute ({@link SmtpLimits}); the messages of an authenticated
 * session are not counted here (credits and the key govern them).
 */
@Component
class SubmissionServer implements SmartLifecycle {

    /** The code billing refuses a send with when the credits or a sub-account's cap are used up. */
    static final String CREDITS_EXHAUSTED = "credits_exhausted";


    private static final Logger log = LoggerFactory.getLogger(SubmissionServer.class);

    /**
     * The commands SubEthaSMTP itself holds back until TLS when it is required. Its own refusal has
     * no enhanced status code (RFC 3463) and comes after the authentication check for MAIL; this
     * wrapper answers the RFC 3207 reply first, for every one of them.
     */
    private static final List<String> TLS_FIRST = List.of("AUTH", "HELO", "MAIL", "RCPT", "DATA", "BDAT", "RSET",
            "VRFY", "EXPN", "HELP");

    private final ApiKeys keys;
    private final AccountTree accounts;
    private final MessageQueue queue;
    private final LoginThrottle throttle;
    private final int port;
    private final int maxMessageBytes;
    private final SubmissionTls tls;
    private final boolean requireTls;
    private final SmtpLimits limits;
    private SMTPServer server;

    @Autowired
    SubmissionServer(ApiKeys keys, AccountTree accounts, MessageQueue queue, LoginThrottle throttle, Clock clock,
            @Value("${mailtree.submission-port:2587}") int port,
            @Value("${mailtree.submission.max-message-bytes:26214400}") int maxMessageBytes,
            @Value("${mailtree.submission.tls.keystore:}") String keystore,
            @Value("${mailtree.submission.tls.keystore-password:}") String keystorePassword,
            @Value("${mailtree.submission.require-tls:true}") boolean requireTls,
            @Value("${mailtree.submission.max-connections-per-address:20}") int maxConnectionsPerAddress,
            @Value("${mailtree.submission.connections-per-minute:120}") int connectionsPerMinute,
            @Value("${mailtree.data-path}") String dataPath, @Value("${mailtree.base-url:}") String baseUrl) {
        // Loaded here rather than at start so a bad keystore stops the application with a clear cause;
        // not at all when submission is off, so no certificate is generated for nothing.
        this(keys, accounts, queue, throttle, port, maxMessageBytes,
                port > 0 ? SubmissionTls.load(keystore, keystorePassword, dataPath, baseUrl, clock) : null, requireTls,
                new SmtpLimits(maxConnectionsPerAddress, connectionsPerMinute, clock));
    }

    SubmissionServer(ApiKeys keys, AccountTree accounts, MessageQueue queue, LoginThrottle throttle, int port,
            int maxMessageBytes, SubmissionTls tls, boolean requireTls) {
        this(keys, accounts, queue, throttle, port, maxMessageBytes, tls, requireTls,
                new SmtpLimits(20, 120, Clock.systemUTC()));
    }

    SubmissionServer(ApiKeys keys, AccountTree accounts, MessageQueue queue, LoginThrottle throttle, int port,
            int maxMessageBytes, SubmissionTls tls, boolean requireTls, SmtpLimits limits) {
        this.limits = limits;
        this.keys = keys;
        this.accounts = accounts;
        this.queue = queue;
        this.throttle = throttle;
        this.port = port;
        this.maxMessageBytes = maxMessageBytes;
        this.tls = tls;
        this.requireTls = requireTls;
    }

    /** The port it listens on, once started (useful when configured as an ephemeral port). */
    int port() {
        return server == null ? -1 : server.getPortAllocated();
    }

    private void login(String publicKey, String secret, MessageContext context) throws LoginFailedException {
        String address = address(context.getRemoteAddress());
        java.time.Duration wait = throttle.remainingWait(publicKey, address);
        if (!wait.isZero()) {
            throw new LoginFailedException("too many failed attempts; wait " + waitText(wait));
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
        keys.recordUse(key.get(), address);
    }

    /** The throttle's remaining wait as the refusal says it: seconds under two minutes, otherwise whole minutes (rounded up). */
    static String waitText(java.time.Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        if (seconds < 120) {
            return seconds + (seconds == 1 ? " second" : " seconds");
        }
        return ((seconds + 59) / 60) + " minutes";
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
                    if (CREDITS_EXHAUSTED.equals(refused.code())) {
                        // D-31: temporary (credits return at renewal or a top-up), so the client keeps the
                        // message and retries; 452 with X.3.1 as for a quota (ADR 0028).
                        throw new RejectException(452, "4.3.1 credits_exhausted: " + refused.getMessage());
                    }
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

    /**
     * SubEthaSMTP refuses failed credentials with a bare "535 Authentication credentials invalid";
     * RFC 4954 gives that reply the enhanced code 5.7.8, which clients and their logs key on. The
     * handlers are the library's; only the refusal's text is given its code.
     */
    private record EnhancedAuthReplies(AuthenticationHandlerFactory delegate) implements AuthenticationHandlerFactory {

        @Override
        public List<String> getAuthenticationMechanisms() {
            return delegate.getAuthenticationMechanisms();
        }

        @Override
        public AuthenticationHandler create() {
            AuthenticationHandler handler = delegate.create();
            return new AuthenticationHandler() {
                @Override
                public Optional<String> auth(String clientInput, MessageContext context) throws RejectException {
                    try {
                        return handler.auth(clientInput, context);
                    } catch (RejectException refused) {
                        if (refused.getCode() == 535 && !refused.getMessage().startsWith("5.")) {
                            throw new RejectException(535, "5.7.8 " + refused.getMessage());
                        }
                        throw refused;
                    }
                }

                @Override
                public Object getIdentity() {
                    return handler.getIdentity();
                }
            };
        }
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
        server = SMTPServer.port(port).softwareName("Mailtree").serverSocketFactory(NoDelayServerSocket::new)
                .authenticationHandlerFactory(new EnhancedAuthReplies(new EasyAuthenticationHandlerFactory(this::login)))
                .requireAuth(true).maxRecipients(MessageQueue.MAX_RECIPIENTS).maxMessageSize(maxMessageBytes)
                .enableTLS(true).startTlsSocketFactory(tls::wrap)
                // Also keeps AUTH out of the EHLO answer before STARTTLS, so clients know to start TLS first.
                .requireTLS(requireTls)
                .connectionTimeout(60, TimeUnit.SECONDS).sessionHandler(limits)
                .messageHandlerFactory(this::handler).serverThreadName("smtp-submission").build();
        Command startTls = server.getCommandHandler().getCommand("STARTTLS");
        if (startTls != null) {
            server.getCommandHandler().addCommand(new NotAfterAuth(startTls));
        }
        if (requireTls) {
            for (String verb : TLS_FIRST) {
                Command command = server.getCommandHandler().getCommand(verb);
                if (command != null) {
                    server.getCommandHandler().addCommand(new TlsFirst(command));
                }
            }
        }
        server.start();
        log.info("SMTP submission listens on port {} (STARTTLS {})", server.getPortAllocated(),
                requireTls ? "required" : "offered");
    }

    /**
     * STARTTLS refused once the session has authenticated: RFC 3207 wants everything learnt before the
     * handshake forgotten, and the library keeps the login across it. A client that logged in over
     * plain text and then asks for TLS is told so instead of staying logged in under a new channel.
     */
    private record NotAfterAuth(Command wrapped) implements Command {

        @Override
        public void execute(String commandString, Session session) throws IOException,
                org.subethamail.smtp.DropConnectionException {
            if (session.isAuthenticated()) {
                session.sendResponse("503 5.5.1 STARTTLS is not accepted after AUTH; start TLS first");
            } else {
                wrapped.execute(commandString, session);
            }
        }

        @Override
        public HelpMessage getHelp() throws CommandException {
            return wrapped.getHelp();
        }

        @Override
        public String getName() {
            return wrapped.getName();
        }
    }

    /** A command refused with 530 until the session has started TLS. */
    private record TlsFirst(Command wrapped) implements Command {

        @Override
        public void execute(String commandString, Session session) throws IOException,
                org.subethamail.smtp.DropConnectionException {
            if (session.isTLSStarted()) {
                wrapped.execute(commandString, session);
            } else {
                session.sendResponse("530 5.7.0 Must issue a STARTTLS command first");
            }
        }

        @Override
        public HelpMessage getHelp() throws CommandException {
            return wrapped.getHelp();
        }

        @Override
        public String getName() {
            return wrapped.getName();
        }
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
