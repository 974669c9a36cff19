package io.mailtree.notifications;

import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Times;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The built-in development mailbox: the transport when no SMTP relay is configured. Every message
 * lands in a table and is shown at {@code /dev/mailbox}, so a first run needs no mail server. Signed
 * messages from delivery are read back for their subject and text, one row per recipient.
 */
public class DevMailbox implements MailTransport {

    private final JdbcClient jdbc;
    private final Clock clock;

    public DevMailbox(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public void deliver(String from, String recipient, String subject, String text) {
        jdbc.sql("insert into dev_mailbox_message (sender, recipient, subject, body_text, received_at) values (?, ?, ?, ?, ?)")
                .params(cut(from, 254), cut(recipient, 254), cut(subject == null ? "" : subject, 300),
                        cut(text == null ? "" : text, 20000), Times.sql(clock.instant()))
                .update();
    }

    /** Keeps each signed message once per recipient, under the sender's address, with its subject and readable text. */
    @Override
    public Connection connect() {
        return new Connection() {
            @Override
            public void send(Envelope envelope, byte[] mime) throws MessagingException {
                MimeMessage parsed = new MimeMessage(null, new ByteArrayInputStream(mime));
                String subject = parsed.getSubject();
                String text = DevText.of(parsed);
                for (String recipient : envelope.recipients()) {
                    deliver(envelope.sender(), recipient, subject, text);
                }
            }

            @Override
            public void close() {
                // nothing held open
            }
        };
    }

    private static String cut(String value, int max) {
        return value.length() > max ? value.substring(0, max) : value;
    }

    @Override
    public boolean capturesMail() {
        return true;
    }

    @Override
    public String describe() {
        return "the built-in development mailbox at /dev/mailbox";
    }

    public PageOf<Message> messages(String recipient, PageRequest page) {
        String filter = recipient == null || recipient.isBlank() ? "%" : "%" + recipient.strip().toLowerCase(java.util.Locale.ROOT) + "%";
        long total = jdbc.sql("select count(*) from dev_mailbox_message where lower(recipient) like ?").param(filter)
                .query(Long.class).single();
        List<Message> items = jdbc.sql("""
                select * from dev_mailbox_message where lower(recipient) like ? order by id desc limit ? offset ?""")
                .params(filter, page.size(), page.offset())
                .query((rs, n) -> new Message(rs.getLong("id"), rs.getString("sender"), rs.getString("recipient"),
                        rs.getString("subject"), rs.getString("body_text"), Times.instant(rs, "received_at")))
                .list();
        return new PageOf<>(items, page.page(), page.size(), total);
    }

    /** A captured message. */
    public record Message(long id, String sender, String recipient, String subject, String text, Instant receivedAt) {
    }
}
