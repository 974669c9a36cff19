package io.mailtree.notifications;

/** Hands one message to whatever carries it out: an SMTP relay, or the development mailbox. */
public interface MailTransport {

    void deliver(String from, String recipient, String subject, String text) throws Exception;

    /** A short description for the start-up log. */
    String describe();

    /**
     * Whether this transport keeps mail on the installation instead of sending it (the development
     * mailbox): pages then show a banner, since no one receives real e-mail.
     */
    default boolean capturesMail() {
        return false;
    }
}
