package io.mailtree.notifications;

import jakarta.mail.MessagingException;
import java.util.List;
import java.util.function.Function;

/**
 * Carries mail out: an SMTP relay, or the development mailbox. System mail hands it one message at a
 * time ({@link #deliver}); delivery opens one {@link Connection} per worker and hands it signed MIME
 * bytes message after message, so it never needs to know which transport it is talking to.
 */
public interface MailTransport {

    /** Sends one plain-text system e-mail. */
    void deliver(String from, String recipient, String subject, String text) throws Exception;

    /**
     * Opens a connection for handing over many signed messages, one after the other, from one thread.
     * The relay's keeps its SMTP session open between messages (reconnecting when the relay closed
     * it): one SMTP transaction a recipient, not a handshake.
     */
    Connection connect();

    /** A short description for the start-up log. */
    String describe();

    /**
     * Whether this transport keeps mail on the installation instead of sending it (the development
     * mailbox): pages then show a banner, since no one receives real e-mail.
     */
    default boolean capturesMail() {
        return false;
    }

    /**
     * Who a signed message is from and for. Each recipient's copy goes out in its own SMTP transaction
     * under its own return path ({@code returnPathOf}), so what one recipient sees speaks for it alone.
     *
     * @param sender       the sender's address (the header From), shown by the development mailbox
     * @param recipients   the envelope recipients
     * @param returnPathOf the envelope sender (MAIL FROM) of each recipient's copy
     */
    record Envelope(String sender, List<String> recipients, Function<String, String> returnPathOf) {

        public Envelope {
            recipients = List.copyOf(recipients);
        }
    }

    /** One thread's way to the transport, reused message after message; not thread-safe. */
    interface Connection extends AutoCloseable {

        /**
         * Hands over signed bytes exactly as they are, to every recipient of the envelope. With one
         * recipient, a failure is thrown as its SMTP transaction failed; with several, as
         * the relay's {@code RelayConnection} reports it: the failure every recipient met alike, or a
         * {@link jakarta.mail.SendFailedException} telling the recipients accepted, to try again and refused.
         */
        void send(Envelope envelope, byte[] mime) throws MessagingException;

        @Override
        void close();
    }
}
