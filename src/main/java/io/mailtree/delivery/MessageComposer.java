package io.mailtree.delivery;

import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds the MIME of a message once, at acceptance: headers (with a Message-ID on the sender's
 * domain), text and HTML alternatives, attachments. Custom headers that would change who the
 * message is from or to, or how it is built, are refused; no header value may hold a line break.
 */
final class MessageComposer {

    static final long MAX_ATTACHMENT_BYTES = 10L * 1024 * 1024;
    static final long MAX_ATTACHMENTS_BYTES = 25L * 1024 * 1024;
    private static final Set<String> RESERVED_HEADERS = Set.of("from", "to", "cc", "bcc", "subject", "date", "message-id",
            "return-path", "sender", "reply-to", "received", "dkim-signature", "mime-version", "content-type",
            "content-transfer-encoding", "content-disposition", "list-unsubscribe", "list-unsubscribe-post",
            "authentication-results", "arc-seal", "arc-message-signature", "arc-authentication-results");
    private static final Pattern HEADER_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9-]{0,76}$");
    private static final Session SESSION = Session.getInstance(new Properties());

    private MessageComposer() {
    }

    /** The composed message: its bytes and its Message-ID. */
    record Composed(byte[] mime, String messageId) {
    }

    static Composed compose(String fromEmail, String fromName, List<OutboundMessage.Party> to,
            List<OutboundMessage.Party> cc, OutboundMessage.Party replyTo, String subject, String text, String html,
            List<OutboundMessage.FileData> attachments, Map<String, String> headers, String messageIdToken, Instant now) {
        try {
            MimeMessage message = new MimeMessage(SESSION) {
                @Override
                protected void updateMessageID() throws MessagingException {
                    setHeader("Message-ID", "<" + messageIdToken + "@" + domainOf(fromEmail) + ">");
                }
            };
            message.setFrom(address(fromEmail, fromName));
            message.setRecipients(Message.RecipientType.TO, addresses(to));
            if (cc != null && !cc.isEmpty()) {
                message.setRecipients(Message.RecipientType.CC, addresses(cc));
            }
            if (replyTo != null && replyTo.email() != null) {
                message.setReplyTo(new InternetAddress[] {address(EmailAddresses.normalise(replyTo.email()),
                        replyTo.name())});
            }
            message.setSubject(subject, StandardCharsets.UTF_8.name());
            message.setSentDate(Date.from(now));
            if (headers != null) {
                for (Map.Entry<String, String> header : headers.entrySet()) {
                    message.setHeader(header.getKey(), header.getValue());
                }
            }
            MimeMultipart alternatives = new MimeMultipart("alternative");
            if (text != null && !text.isBlank()) {
                alternatives.addBodyPart(textPart(text, "plain"));
            }
            if (html != null && !html.isBlank()) {
                alternatives.addBodyPart(textPart(html, "html"));
            }
            if (attachments == null || attachments.isEmpty()) {
                message.setContent(alternatives);
            } else {
                MimeMultipart mixed = new MimeMultipart("mixed");
                MimeBodyPart body = new MimeBodyPart();
                body.setContent(alternatives);
                mixed.addBodyPart(body);
                for (OutboundMessage.FileData file : attachments) {
                    MimeBodyPart part = new MimeBodyPart();
                    byte[] bytes = Base64.getMimeDecoder().decode(file.content());
                    part.setDataHandler(new DataHandler(new ByteArrayDataSource(bytes, file.contentType())));
                    part.setFileName(file.fileName());
                    part.setDisposition(MimeBodyPart.ATTACHMENT);
                    mixed.addBodyPart(part);
                }
                message.setContent(mixed);
            }
            message.saveChanges();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);
            return new Composed(out.toByteArray(), message.getMessageID());
        } catch (MessagingException | IOException failure) {
            throw DomainProblem.invalid("message_not_composable", "the message could not be built: " + failure.getMessage());
        }
    }

    /**
     * A UTF-8 text part, already quoted-printable: built from its encoded bytes, the library writes
     * them as they are instead of encoding (and first scanning) the text itself.
     */
    private static MimeBodyPart textPart(String text, String subtype) throws MessagingException {
        InternetHeaders headers = new InternetHeaders();
        headers.setHeader("Content-Type", "text/" + subtype + "; charset=UTF-8");
        headers.setHeader("Content-Transfer-Encoding", "quoted-printable");
        return new MimeBodyPart(headers, QuotedPrintable.encode(text));
    }

    /** A message submitted over SMTP, completed: its bytes, Message-ID, subject and From header address. */
    record Submitted(Composed composed, String subject, String headerFrom) {
    }

    /** Adds what a submitted message lacks (Message-ID, Date) and reads what the queue records of it. */
    static Submitted completeSubmitted(byte[] mime, String envelopeFrom, String messageIdToken, Instant now) {
        try {
            MimeMessage message = new MimeMessage(SESSION, new java.io.ByteArrayInputStream(mime));
            boolean changed = false;
            if (message.getHeader("Message-ID") == null) {
                message.setHeader("Message-ID", "<" + messageIdToken + "@" + domainOf(envelopeFrom) + ">");
                changed = true;
            }
            if (message.getHeader("Date") == null) {
                message.setSentDate(Date.from(now));
                changed = true;
            }
            byte[] bytes = mime;
            if (changed) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(mime.length + 200);
                message.writeTo(out);
                bytes = out.toByteArray();
            }
            jakarta.mail.Address[] from = message.getFrom();
            String headerFrom = from != null && from.length > 0 && from[0] instanceof InternetAddress address
                    ? address.getAddress() : null;
            return new Submitted(new Composed(bytes, message.getMessageID()), message.getSubject(), headerFrom);
        } catch (MessagingException | IOException unreadable) {
            throw DomainProblem.invalid("message_not_readable", "the submitted message is not valid MIME");
        }
    }

    /** Checks the custom headers a client may add; answers them unchanged or refuses. */
    static void checkHeaders(Map<String, String> headers) {
        if (headers == null) {
            return;
        }
        if (headers.size() > 50) {
            throw DomainProblem.invalid("too_many_headers", "at most 50 custom headers");
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            String name = header.getKey() == null ? "" : header.getKey();
            if (!HEADER_NAME.matcher(name).matches()) {
                throw DomainProblem.invalid("invalid_header", "not a valid header name: " + name);
            }
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw DomainProblem.invalid("header_not_allowed", "the header " + name + " is set by Mailtree", name);
            }
            String value = header.getValue() == null ? "" : header.getValue();
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.length() > 998) {
                throw DomainProblem.invalid("invalid_header", "the header " + name
                        + " must be one line of at most 998 characters", name);
            }
        }
    }

    /** Decodes and checks attachments: valid base64, 10 MB each, 25 MB together. */
    static void checkAttachments(List<OutboundMessage.FileData> attachments) {
        if (attachments == null) {
            return;
        }
        long total = 0;
        for (OutboundMessage.FileData file : attachments) {
            if (file == null || file.fileName() == null || file.fileName().isBlank() || file.content() == null) {
                throw DomainProblem.invalid("invalid_attachment", "an attachment needs fileName and content");
            }
            if (file.fileName().chars().anyMatch(Character::isISOControl) || file.fileName().length() > 200) {
                throw DomainProblem.invalid("invalid_attachment", "an attachment name is one line of at most 200 characters");
            }
            if (file.contentType() == null || !file.contentType().matches("^[\\w.+-]+/[\\w.+-]+$")) {
                throw DomainProblem.invalid("invalid_attachment", "an attachment needs a contentType such as application/pdf");
            }
            byte[] bytes;
            try {
                bytes = Base64.getMimeDecoder().decode(file.content());
            } catch (IllegalArgumentException notBase64) {
                throw DomainProblem.invalid("invalid_base64", "the attachment " + file.fileName() + " is not valid base64");
            }
            if (bytes.length > MAX_ATTACHMENT_BYTES) {
                throw DomainProblem.invalid("attachment_too_large", "an attachment may have at most 10 MB");
            }
            total += bytes.length;
        }
        if (total > MAX_ATTACHMENTS_BYTES) {
            throw DomainProblem.invalid("attachments_too_large", "the attachments of a message may have at most 25 MB");
        }
    }

    static String domainOf(String email) {
        return email.substring(email.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    private static InternetAddress[] addresses(List<OutboundMessage.Party> parties) throws UnsupportedEncodingException {
        InternetAddress[] out = new InternetAddress[parties.size()];
        for (int i = 0; i < parties.size(); i++) {
            out[i] = address(EmailAddresses.normalise(parties.get(i).email()), parties.get(i).name());
        }
        return out;
    }

    private static InternetAddress address(String email, String name) throws UnsupportedEncodingException {
        if (name != null && (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0)) {
            throw DomainProblem.invalid("invalid_header", "a display name cannot hold a line break");
        }
        return new InternetAddress(email, name == null || name.isBlank() ? null : name, StandardCharsets.UTF_8.name());
    }
}
