package io.mailtree.support;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;

/** A text message submitted to the application's SMTP submission server, authenticated as a key. */
public final class SmtpSubmissions {

    private SmtpSubmissions() {
    }

    /** Submits a one-recipient text message on {@code port}, signing in as {@code user}. */
    public static void submit(int port, String user, String password, String from, String to, String subject)
            throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", String.valueOf(port));
        properties.put("mail.smtp.auth", "true");
        Session session = Session.getInstance(properties);
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText("Sent over SMTP submission.");
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect("127.0.0.1", port, user, password);
            transport.sendMessage(message, message.getAllRecipients());
        }
    }
}
