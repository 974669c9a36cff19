package io.mailtree.support;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A real SMTP relay on loopback (subethasmtp) that a test controls: it can stop listening and start
 * again on the same port (the relay is down: connections are refused), answer chosen recipients with
 * 4xx or 5xx, and take a while per message. It counts what it accepted per recipient, so tests can
 * prove that every message arrived exactly once.
 */
public final class ControllableRelay implements AutoCloseable {

    /** What the relay answers to one recipient on one attempt. */
    public enum Answer {
        ACCEPT, TEMPORARY_AT_RCPT, PERMANENT_AT_RCPT, TEMPORARY_AT_DATA, PERMANENT_AT_DATA,
        /** The message refused after DATA by policy (554 5.7.1, as a receiver refuses spam): not the address's fault. */
        POLICY_AT_DATA
    }

    /** Decides the answer from the recipient and how many times the relay has seen it (1 on the first try). */
    @FunctionalInterface
    public interface Policy {
        Answer answer(String recipient, int attempt);
    }

    /** A message the relay accepted (250 after DATA). */
    public record Received(String envelopeFrom, List<String> recipients, byte[] raw, long at) {

        String envelopeDomain() {
            return envelopeFrom == null ? "" : envelopeFrom.substring(envelopeFrom.indexOf('@') + 1).toLowerCase(Locale.ROOT);
        }

        /** The decoded text of the message (for links in system mail). */
        public String text() {
            try {
                MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
                Object content = message.getContent();
                return content instanceof String string ? string : new String(raw, StandardCharsets.UTF_8);
            } catch (Exception unreadable) {
                return new String(raw, StandardCharsets.UTF_8);
            }
        }
    }

    private final int port;
    private volatile SMTPServer server;
    private volatile Policy policy = (recipient, attempt) -> Answer.ACCEPT;
    private volatile long delayMillis;
    private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byEnvelopeDomain = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final LongAdder rejected = new LongAdder();

    private ControllableRelay(int port) {
        this.port = port;
    }

    /** A relay listening on a free loopback port below the ephemeral range (so it can be re-bound after a stop). */
    public static ControllableRelay start() {
        for (int i = 0; i < 50; i++) {
            int candidate = 20_000 + ThreadLocalRandom.current().nextInt(10_000);
            try (ServerSocket probe = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                probe.setReuseAddress(true);
            } catch (IOException taken) {
                continue;
            }
            ControllableRelay relay = new ControllableRelay(candidate);
            try {
                relay.listen();
                return relay;
            } catch (RuntimeException raced) {
                // someone took it between the probe and the bind; try another
            }
        }
        throw new IllegalStateException("no free port for the test relay");
    }

    public int port() {
        return port;
    }

    /** Starts listening again (after {@link #refuseConnections()}). */
    public synchronized void listen() {
        if (server != null) {
            return;
        }
        SMTPServer started = SMTPServer.port(port).bindAddress(InetAddress.getLoopbackAddress())
                .hostName("relay.test").maxConnections(200).connectionTimeoutMs(120_000)
                .messageHandlerFactory(Handler::new).build();
        started.start();
        server = started;
    }

    /** Stops listening: connections to the relay are refused until {@link #listen()}. */
    public synchronized void refuseConnections() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    public boolean listening() {
        return server != null;
    }

    public void policy(Policy policy) {
        this.policy = policy;
    }

    public void delay(long millis) {
        this.delayMillis = millis;
    }

    /** Forgets every count and message (the policy and delay stay). */
    public void reset() {
        accepted.clear();
        attempts.clear();
        byEnvelopeDomain.clear();
        received.clear();
        rejected.reset();
    }

    /** How many times a message to this recipient was accepted. */
    public int acceptedFor(String recipient) {
        AtomicInteger count = accepted.get(recipient.toLowerCase(Locale.ROOT));
        return count == null ? 0 : count.get();
    }

    /** How many times the relay saw this recipient in RCPT TO (accepted or not). */
    public int attemptsFor(String recipient) {
        AtomicInteger count = attempts.get(recipient.toLowerCase(Locale.ROOT));
        return count == null ? 0 : count.get();
    }

    /** Accepted messages per envelope sender domain (tells the nodes apart by their bounce domain). */
    public Map<String, Long> acceptedByEnvelopeDomain() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        byEnvelopeDomain.forEach((domain, count) -> counts.put(domain, count.sum()));
        return counts;
    }

    public long rejectedCount() {
        return rejected.sum();
    }

    public int totalAccepted() {
        return received.size();
    }

    /** How many of these recipients got at least one message. */
    public int distinctDelivered(List<String> recipients) {
        int n = 0;
        for (String recipient : recipients) {
            n += acceptedFor(recipient) > 0 ? 1 : 0;
        }
        return n;
    }

    /** The newest accepted message to {@code recipient}, waiting up to {@code timeoutMillis}. */
    public Received awaitMessageTo(String recipient, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            Received newest = null;
            for (Received message : received) {
                if (message.recipients().contains(recipient.toLowerCase(Locale.ROOT))) {
                    newest = message;
                }
            }
            if (newest != null) {
                return newest;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no message to " + recipient + " reached the relay within " + timeoutMillis + " ms");
    }

    @Override
    public void close() {
        refuseConnections();
    }

    /** One SMTP transaction. */
    private final class Handler implements MessageHandler {

        private String from;
        private final List<String> recipients = new ArrayList<>();
        private final List<Answer> answers = new ArrayList<>();

        Handler(MessageContext context) {
        }

        @Override
        public void from(String from) {
            this.from = from;
        }

        @Override
        public void recipient(String recipient) throws RejectException {
            String address = recipient.toLowerCase(Locale.ROOT);
            int attempt = attempts.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
            Answer answer = policy.answer(address, attempt);
            if (answer == Answer.TEMPORARY_AT_RCPT) {
                rejected.increment();
                throw new RejectException(451, "4.3.0 <" + address + ">: try again later");
            }
            if (answer == Answer.PERMANENT_AT_RCPT) {
                rejected.increment();
                throw new RejectException(550, "5.1.1 <" + address + ">: no such user here");
            }
            recipients.add(address);
            answers.add(answer);
        }

        @Override
        public String data(InputStream data) throws RejectException, IOException {
            byte[] raw = data.readAllBytes();
            long delay = delayMillis;
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("relay stopping", interrupted);
                }
            }
            if (answers.contains(Answer.PERMANENT_AT_DATA)) {
                rejected.increment();
                throw new RejectException(550, "5.1.1 message refused: no such mailbox here");
            }
            if (answers.contains(Answer.POLICY_AT_DATA)) {
                rejected.increment();
                throw new RejectException(554, "5.7.1 message refused as spam");
            }
            if (answers.contains(Answer.TEMPORARY_AT_DATA)) {
                rejected.increment();
                throw new RejectException(451, "4.3.0 message not taken now, try again later");
            }
            for (String recipient : recipients) {
                accepted.computeIfAbsent(recipient, r -> new AtomicInteger()).incrementAndGet();
            }
            Received message = new Received(from, List.copyOf(recipients), raw, System.currentTimeMillis());
            byEnvelopeDomain.computeIfAbsent(message.envelopeDomain(), d -> new LongAdder()).increment();
            received.add(message);
            return null;
        }

        @Override
        public void done() {
        }
    }
}
