package io.mailtree.notifications;

import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;

/**
 * The configured SMTP relay ({@code MAILTREE_RELAY_*}): system mail one message at a time, and
 * delivery's signed messages over one {@link RelayConnection} per worker.
 */
public class SmtpRelay implements MailTransport {

    private final RelaySettings settings;
    private final JavaMailSenderImpl sender;

    public SmtpRelay(RelaySettings settings) {
        this.settings = settings;
        sender = new JavaMailSenderImpl();
        sender.setHost(settings.host());
        sender.setPort(settings.port());
        if (settings.authenticates()) {
            sender.setUsername(settings.username());
            sender.setPassword(settings.password());
            sender.getJavaMailProperties().put("mail.smtp.auth", "true");
        }
        switch (settings.tls()) {
            case "starttls" -> sender.getJavaMailProperties().put("mail.smtp.starttls.required", "true");
            case "tls" -> sender.getJavaMailProperties().put("mail.smtp.ssl.enable", "true");
            default -> { }
        }
        sender.getJavaMailProperties().put("mail.smtp.connectiontimeout", "10000");
        sender.getJavaMailProperties().put("mail.smtp.timeout", "30000");
        sender.getJavaMailProperties().put("mail.smtp.writetimeout", "30000");
    }

    @Override
    public void deliver(String from, String recipient, String subject, String text) throws Exception {
        MimeMessage message = sender.createMimeMessage();
        MimeMessageHelper helper = new MimeMessageHelper(message, false, StandardCharsets.UTF_8.name());
        helper.setFrom(from);
        helper.setTo(recipient);
        helper.setSubject(subject);
        helper.setText(text, false);
        sender.send(message);
    }

    /** A connection of its own, opened at the first message and kept open between messages. */
    @Override
    public Connection connect() {
        return new RelayConnection(settings);
    }

    @Override
    public String describe() {
        return "the SMTP relay " + sender.getHost() + ":" + sender.getPort();
    }
}
