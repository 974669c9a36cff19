package io.mailtree.notifications;

/** Hands one message to whatever carries it out: an SMTP relay, or the development mailbox. */
public interface MailTransport {

    void deliver(String from, String recipient, String subject, String text) throws Exception;

    /** A short description for the start-up log. */
    String describe();
}
