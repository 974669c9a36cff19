package io.mailtree.notifications;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/**
 * One worker's connection to the SMTP relay, opened once and reused for message after message
 * (reconnecting when the relay closed it), so a send costs one SMTP transaction, not a handshake.
 * The hot path of delivery: {@link SmtpRelay#connect} gives each delivery worker its own.
 */
final class RelayConnection implements MailTransport.Connection {

    private final Session session;
    private final String host;
    private final int port;
    private final String username;
    private final String password;
    private Transport transport;

    RelayConnection(RelaySettings settings) {
        this(settings.host(), settings.port(), settings.username(), settings.password(), settings.tls());
    }

    private RelayConnection(String host, int port, String username, String password, String tls) {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", host);
        properties.put("mail.smtp.port", String.valueOf(port));
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "60000");
        properties.put("mail.smtp.writetimeout", "60000");
        properties.put("mail.smtp.reportsuccess", "false");
        if (!"tls".equals(tls)) {
            // Small SMTP commands and a message body in several writes: without TCP_NODELAY, Nagle's
            // algorithm and the relay's delayed acknowledgements add about 40 ms to every message.
            properties.put("mail.smtp.socketFactory", new NoDelaySocketFactory());
            properties.put("mail.smtp.socketFactory.fallback", "false");
        }
        boolean authenticate = username != null && !username.isBlank();
        properties.put("mail.smtp.auth", String.valueOf(authenticate));
        switch (tls) {
            case "starttls" -> properties.put("mail.smtp.starttls.required", "true");
            case "tls" -> properties.put("mail.smtp.ssl.enable", "true");
            default -> { }
        }
        this.session = Session.getInstance(properties);
        this.host = host;
        this.port = port;
        this.username = authenticate ? username : null;
        this.password = authenticate ? password : null;
    }

    /**
     * Sends signed bytes to each recipient with its own return path (the envelope's
     * {@code returnPathOf}), one SMTP transaction per recipient over this connection, so that no
     * recipient's copy carries a return path that speaks for another (ADR 0009). With one recipient, a failure is thrown as
     * its transaction failed. With several, the outcomes are reported as a single transaction for all
     * of them would have reported them, so delivery judges them as before: when every recipient
     * failed alike and none was accepted (the relay down, our sender refused, the message refused),
     * that failure itself; otherwise a {@link SendFailedException} listing the recipients accepted,
     * those to try again, and those refused, each refusal with its own reply code.
     */
    @Override
    public void send(MailTransport.Envelope envelope, byte[] mime) throws MessagingException {
        List<String> recipients = envelope.recipients();
        Function<String, String> returnPathOf = envelope.returnPathOf();
        if (recipients.size() == 1) {
            send(mime, returnPathOf.apply(recipients.get(0)), recipients);
            return;
        }
        List<Address> sent = new ArrayList<>();
        List<Address> unsent = new ArrayList<>();
        List<Address> refused = new ArrayList<>();
        MessagingException codes = new MessagingException("the reply code of each refused recipient");
        MessagingException first = null;
        boolean alike = true;
        for (int i = 0; i < recipients.size(); i++) {
            String recipient = recipients.get(i);
            InternetAddress address = new InternetAddress(recipient);
            try {
                send(mime, returnPathOf.apply(recipient), List.of(recipient));
                sent.add(address);
                continue;
            } catch (SMTPSenderFailedException | SMTPSendFailedException wholeTransaction) {
                // MAIL FROM refused, or the message refused after DATA: a 5xx after DATA refuses this
                // recipient's copy for good; anything else is tried again.
                if (wholeTransaction instanceof SMTPSendFailedException afterData && afterData.getReturnCode() >= 500) {
                    refused.add(address);
                    codes.setNextException(new SMTPAddressFailedException(address, "DATA", afterData.getReturnCode(),
                            afterData.getMessage()));
                } else {
                    unsent.add(address);
                }
                first = first == null ? wholeTransaction : first;
                alike &= first.getClass() == wholeTransaction.getClass()
                        && wholeTransactionCode(first) == wholeTransactionCode(wholeTransaction);
            } catch (SendFailedException recipientRefused) {
                sent.addAll(listOf(recipientRefused.getValidSentAddresses()));
                unsent.addAll(listOf(recipientRefused.getValidUnsentAddresses()));
                for (Address invalid : listOf(recipientRefused.getInvalidAddresses())) {
                    refused.add(invalid);
                    codes.setNextException(new SMTPAddressFailedException((InternetAddress) invalid, "RCPT",
                            replyCode(recipientRefused, invalid), recipientRefused.getMessage()));
                }
                first = first == null ? recipientRefused : first;
                alike = false;
            } catch (MessagingException | IllegalStateException connectionFailed) {
                // The relay is unreachable or the connection broke: this and the remaining recipients wait.
                for (String rest : recipients.subList(i, recipients.size())) {
                    unsent.add(new InternetAddress(rest));
                }
                MessagingException failure = connectionFailed instanceof MessagingException messaging ? messaging
                        : new MessagingException(connectionFailed.getMessage(), connectionFailed);
                alike &= first == null;
                first = first == null ? failure : first;
                break;
            }
        }
        if (first == null) {
            return;
        }
        if (alike && sent.isEmpty() && refused.isEmpty()) {
            throw first;
        }
        throw new SendFailedException(refused.size() + " of " + recipients.size() + " recipients refused, "
                + unsent.size() + " to try again: " + first.getMessage(), codes.getNextException(),
                sent.toArray(Address[]::new), unsent.toArray(Address[]::new), refused.toArray(Address[]::new));
    }

    private static int wholeTransactionCode(MessagingException failure) {
        return failure instanceof SMTPSendFailedException afterData ? afterData.getReturnCode()
                : failure instanceof SMTPSenderFailedException sender ? sender.getReturnCode() : 0;
    }

    private static List<Address> listOf(Address[] addresses) {
        return addresses == null ? List.of() : Arrays.asList(addresses);
    }

    /** The reply code the relay gave this refused recipient; 0 when the failure does not say. */
    private static int replyCode(SendFailedException failure, Address recipient) {
        for (Exception next = failure; next instanceof MessagingException messaging; next = messaging.getNextException()) {
            if (next instanceof SMTPAddressFailedException refusal && refusal.getAddress().equals(recipient)) {
                return refusal.getReturnCode();
            }
        }
        return 0;
    }

    /** Sends signed bytes to the envelope recipients with one return path, in one SMTP transaction. */
    private void send(byte[] mime, String envelopeFrom, List<String> recipients) throws MessagingException {
        SMTPMessage message = new RawMessage(session, withoutHiddenHeaders(mime));
        message.setEnvelopeFrom(envelopeFrom);
        InternetAddress[] to = new InternetAddress[recipients.size()];
        for (int i = 0; i < to.length; i++) {
            to[i] = new InternetAddress(recipients.get(i));
        }
        boolean reused = transport != null;
        if (!reused) {
            connect();
        }
        try {
            transport.sendMessage(message, to);
        } catch (MessagingException | IllegalStateException failure) {
            // A reused connection the relay closed meanwhile fails before any reply: reconnect once and
            // try again, instead of paying a NOOP round trip to check the connection before every message.
            if (!reused || failure instanceof SendFailedException) {
                throw failure;
            }
            close();
            connect();
            transport.sendMessage(message, to);
        }
    }

    /** Opens a connection; on failure none is kept, so the next message tries a fresh one. */
    private void connect() throws MessagingException {
        Transport fresh = session.getTransport("smtp");
        fresh.connect(host, port, username, password);
        transport = fresh;
    }

    /**
     * The message without the header fields a relay must never see: Bcc and Resent-Bcc (they would
     * tell every recipient who else got it) and Content-Length. Mailtree writes none of them and SMTP
     * submission removes them, but a message queued by an older version may still hold one; this is
     * the last door. Only the header block is scanned; the bytes are copied only when one is found.
     */
    static byte[] withoutHiddenHeaders(byte[] mime) {
        int end = headerEnd(mime);
        boolean found = false;
        for (int line = 0; line < end && !found; line = nextLine(mime, line)) {
            found = hidden(mime, line);
        }
        if (!found) {
            return mime;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(mime.length);
        boolean skipping = false;
        for (int line = 0; line < end; ) {
            int next = nextLine(mime, line);
            boolean continuation = mime[line] == ' ' || mime[line] == '\t';
            skipping = continuation ? skipping : hidden(mime, line);
            if (!skipping) {
                out.write(mime, line, next - line);
            }
            line = next;
        }
        out.write(mime, end, mime.length - end);
        return out.toByteArray();
    }

    private static final byte[][] HIDDEN = {"bcc:".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        "resent-bcc:".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        "content-length:".getBytes(java.nio.charset.StandardCharsets.US_ASCII)};

    private static boolean hidden(byte[] mime, int line) {
        for (byte[] name : HIDDEN) {
            if (line + name.length <= mime.length) {
                boolean same = true;
                for (int i = 0; i < name.length && same; i++) {
                    same = Character.toLowerCase((char) (mime[line + i] & 0xff)) == name[i];
                }
                if (same) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Where the header block ends: just after the CRLF that precedes the empty line (or the whole message). */
    private static int headerEnd(byte[] mime) {
        for (int i = 0; i + 3 < mime.length; i++) {
            if (mime[i] == '\r' && mime[i + 1] == '\n' && mime[i + 2] == '\r' && mime[i + 3] == '\n') {
                return i + 2;
            }
        }
        return mime.length;
    }

    private static int nextLine(byte[] mime, int from) {
        for (int i = from; i < mime.length; i++) {
            if (mime[i] == '\n') {
                return i + 1;
            }
        }
        return mime.length;
    }

    /**
     * Signed bytes handed to the relay exactly as they are. Parsing them back into a message only to
     * write them out again cost as much CPU as signing, and could re-fold a signed header.
     */
    private static final class RawMessage extends SMTPMessage {

        private final byte[] bytes;

        RawMessage(Session session, byte[] bytes) {
            super(session);
            this.bytes = bytes;
        }

        @Override
        public void writeTo(OutputStream out, String[] ignoreList) throws IOException {
            out.write(bytes);
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(bytes);
        }

        @Override
        public int getSize() {
            return bytes.length;
        }
    }

    /** Plain sockets with TCP_NODELAY set. */
    private static final class NoDelaySocketFactory extends javax.net.SocketFactory {

        @Override
        public java.net.Socket createSocket() throws java.io.IOException {
            java.net.Socket socket = new java.net.Socket();
            socket.setTcpNoDelay(true);
            return socket;
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws java.io.IOException {
            java.net.Socket socket = new java.net.Socket(host, port);
            socket.setTcpNoDelay(true);
            return socket;
        }

        @Override
        public java.net.Socket createSocket(String host, int port, java.net.InetAddress local, int localPort)
                throws java.io.IOException {
            java.net.Socket socket = new java.net.Socket(host, port, local, localPort);
            socket.setTcpNoDelay(true);
            return socket;
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port) throws java.io.IOException {
            java.net.Socket socket = new java.net.Socket(host, port);
            socket.setTcpNoDelay(true);
            return socket;
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port, java.net.InetAddress local,
                int localPort) throws java.io.IOException {
            java.net.Socket socket = new java.net.Socket(host, port, local, localPort);
            socket.setTcpNoDelay(true);
            return socket;
        }
    }

    @Override
    public void close() {
        if (transport != null) {
            try {
                transport.close();
            } catch (MessagingException ignored) {
                // a broken connection is reopened on the next send
            }
            transport = null;
        }
    }
}
