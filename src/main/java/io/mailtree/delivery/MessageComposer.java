package io.mailtree.delivery;

import io.mailtree.content.FileTypes;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds the MIME of a message once, at acceptance: headers (with a Message-ID on the sender's
 * domain), text and HTML alternatives, the HTML's inline images, attachments. Custom headers that would change who the
 * message is from or to, or how it is built, are refused; no header value may hold a line break.
 */
final class MessageComposer {

    static final long MAX_ATTACHMENT_BYTES = 10L * 1024 * 1024;
    static final long MAX_ATTACHMENTS_BYTES = 25L * 1024 * 1024;
    private static final Set<String> RESERVED_HEADERS = Set.of("from", "to", "cc", "bcc", "subject", "date", "message-id",
            "return-path", "sender", "reply-to", "received", "received-spf", "dkim-signature", "mime-version",
            "content-type", "content-transfer-encoding", "content-disposition", "content-length", "list-unsubscribe",
            "list-unsubscribe-post", "authentication-results", "arc-seal", "arc-message-signature", "arc-authentication-results");
    /**
     * Every Resent-* field (RFC 5322 section 3.6.6) says who re-sent the message to whom: set by a
     * client, a Resent-From or Resent-To would show a sender or recipients the message never had.
     */
    private static final String RESERVED_PREFIX = "resent-";
    /**
     * Trace fields a client must not bring into a submitted message (RFC 6409 section 8): hops and
     * verdicts of other systems that receivers would read as Mailtree's, or as their own.
     */
    private static final List<String> SUBMITTED_TRACE = List.of("Received", "Received-SPF", "Authentication-Results",
            "Return-Path", "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results");
    private static final Pattern HEADER_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9-]{0,76}$");
    /**
     * A Content-ID's own part, without the angle brackets Mailtree adds: characters that need no
     * escaping in a {@code cid:} URL (RFC 2392) nor in a header, so the html's references match as written.
     */
    private static final Pattern CONTENT_ID = Pattern.compile("^[A-Za-z0-9._@+-]{1,200}$");
    private static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/gif", "image/webp");
    private static final Session SESSION = Session.getInstance(new Properties());

    private MessageComposer() {
    }

    /** The composed message: its bytes and its Message-ID. */
    record Composed(byte[] mime, String messageId) {
    }

    static Composed compose(String fromEmail, String fromName, List<OutboundMessage.Party> to,
            List<OutboundMessage.Party> cc, OutboundMessage.Party replyTo, String subject, String text, String html,
            List<OutboundMessage.FileData> attachments, List<OutboundMessage.InlineImage> inlineImages,
            Map<String, String> headers, String messageIdToken, Instant now) {
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
                MimeBodyPart part = textPart(html, "html");
                if (inlineImages == null || inlineImages.isEmpty()) {
                    alternatives.addBodyPart(part);
                } else {
                    // The images belong to the html alone (RFC 2387): a text-only reader never downloads them
                    // as attachments, and an html reader resolves cid: within this part.
                    MimeMultipart related = new RelatedMultipart();
                    related.addBodyPart(part);
                    for (OutboundMessage.InlineImage image : inlineImages) {
                        related.addBodyPart(inlinePart(image));
                    }
                    MimeBodyPart relatedPart = new MimeBodyPart();
                    relatedPart.setContent(related);
                    alternatives.addBodyPart(relatedPart);
                }
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

    /**
     * Adds what a submitted message lacks (Message-ID, Date), removes what must not travel (hidden
     * recipients, the client's trace fields, a stale length), and reads
     * what the queue records of it.
     */
    static Submitted completeSubmitted(byte[] mime, String envelopeFrom, String messageIdToken, Instant now) {
        try {
            MimeMessage message = new MimeMessage(SESSION, new java.io.ByteArrayInputStream(mime));
            boolean changed = false;
            // Bcc recipients are already in the envelope; left in the header, every copy would show them to
            // all the others (RFC 5322 section 3.6.3). Not every client strips it before submitting, so
            // Mailtree does, as a submission server should (RFC 6409 section 8).
            for (String hidden : new String[] {"Bcc", "Resent-Bcc"}) {
                if (message.getHeader(hidden) != null) {
                    message.removeHeader(hidden);
                    changed = true;
                }
            }
            for (String trace : SUBMITTED_TRACE) {
                if (message.getHeader(trace) != null) {
                    message.removeHeader(trace);
                    changed = true;
                }
            }
            // A length counted by the client no longer holds once headers change, and SMTP never needs it.
            if (message.getHeader("Content-Length") != null) {
                message.removeHeader("Content-Length");
                changed = true;
            }
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
            String lower = name.toLowerCase(Locale.ROOT);
            if (RESERVED_HEADERS.contains(lower) || lower.startsWith(RESERVED_PREFIX)) {
                throw DomainProblem.invalid("header_not_allowed", "the header " + name + " is set by Mailtree", name);
            }
            String value = header.getValue() == null ? "" : header.getValue();
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.length() > 998) {
                throw DomainProblem.invalid("invalid_header", "the header " + name
                        + " must be one line of at most 998 characters", name);
            }
        }
    }

    /** Decodes and checks attachments: valid base64, 10 MB each, 25 MB together; answers their size. */
    static long checkAttachments(List<OutboundMessage.FileData> attachments) {
        if (attachments == null) {
            return 0;
        }
        long total = 0;
        for (OutboundMessage.FileData file : attachments) {
            if (file == null || file.fileName() == null || file.fileName().isBlank() || file.content() == null) {
                throw DomainProblem.invalid("invalid_attachment", "an attachment needs fileName and content");
            }
            if (!oneLineName(file.fileName())) {
                throw DomainProblem.invalid("invalid_attachment", "an attachment name is one line of at most 200 characters");
            }
            if (file.contentType() == null || !file.contentType().matches("^[\\w.+-]+/[\\w.+-]+$")) {
                throw DomainProblem.invalid("invalid_attachment", "an attachment needs a contentType such as application/pdf");
            }
            total += decodeFile(file.content(), "attachment", file.fileName()).length;
        }
        if (total > MAX_ATTACHMENTS_BYTES) {
            throw DomainProblem.invalid("attachments_too_large", "the attachments of a message may have at most 25 MB");
        }
        return total;
    }

    /**
     * Checks the inline images of a message whose final html is {@code html}: PNG, JPEG, GIF or WebP
     * by their bytes (an HTML or SVG file named .png could carry script), a distinct Content-ID each,
     * and the attachments' limits, 10 MB each and 25 MB together with {@code attachmentBytes}.
     */
    static void checkInlineImages(List<OutboundMessage.InlineImage> images, String html, long attachmentBytes) {
        if (images == null || images.isEmpty()) {
            return;
        }
        if (html == null || html.isBlank()) {
            throw DomainProblem.invalid("inline_images_need_html", "inline images are shown by the html, and the "
                    + "message has none");
        }
        long total = attachmentBytes;
        Set<String> contentIds = new HashSet<>();
        for (OutboundMessage.InlineImage image : images) {
            if (image == null || image.contentId() == null || image.content() == null) {
                throw DomainProblem.invalid("invalid_inline_image", "an inline image needs contentId and content");
            }
            String id = image.contentId();
            if (!CONTENT_ID.matcher(id).matches()) {
                throw DomainProblem.invalid("invalid_inline_image", "an inline image's contentId is 1 to 200 letters, "
                        + "digits and . _ @ + - (without < >)");
            }
            // Mail clients differ on whether cid: matching is case-sensitive; ids that differ only in case
            // would show one image in place of the other in some of them.
            if (!contentIds.add(id.toLowerCase(Locale.ROOT))) {
                throw DomainProblem.invalid("duplicate_content_id", "the contentId " + id + " is used by two inline "
                        + "images of the message", id);
            }
            if (image.fileName() != null && !oneLineName(image.fileName())) {
                throw DomainProblem.invalid("invalid_inline_image", "an inline image's fileName is one line of at "
                        + "most 200 characters");
            }
            String declared = image.contentType() == null ? null : image.contentType().strip().toLowerCase(Locale.ROOT);
            if (declared != null && !IMAGE_TYPES.contains(declared)) {
                throw DomainProblem.invalid("invalid_inline_image", "an inline image's contentType is image/png, "
                        + "image/jpeg, image/gif or image/webp");
            }
            byte[] bytes = decodeFile(image.content(), "inline image", id);
            String actual = FileTypes.imageType(bytes).orElseThrow(() -> DomainProblem.invalid("not_an_image",
                    "the inline image " + id + " is not a PNG, JPEG, GIF or WebP image"));
            if (declared != null && !declared.equals(actual)) {
                throw DomainProblem.invalid("invalid_inline_image", "the inline image " + id + " is " + actual
                        + ", not " + declared);
            }
            total += bytes.length;
        }
        if (total > MAX_ATTACHMENTS_BYTES) {
            throw DomainProblem.invalid("attachments_too_large", "the attachments and inline images of a message may "
                    + "have at most 25 MB together");
        }
    }

    /** A file name a header can carry: one line of at most 200 characters. */
    private static boolean oneLineName(String name) {
        return name.length() <= 200 && name.chars().noneMatch(Character::isISOControl);
    }

    /** A file sent in base64 (an attachment or an inline image), decoded; refused when not base64 or over 10 MB. */
    private static byte[] decodeFile(String content, String kind, String name) {
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(content);
        } catch (IllegalArgumentException notBase64) {
            throw DomainProblem.invalid("invalid_base64", "the " + kind + " " + name + " is not valid base64");
        }
        if (bytes.length > MAX_ATTACHMENT_BYTES) {
            throw DomainProblem.invalid("attachment_too_large", "an " + kind + " may have at most 10 MB");
        }
        return bytes;
    }

    private static MimeBodyPart inlinePart(OutboundMessage.InlineImage image) throws MessagingException {
        byte[] bytes = Base64.getMimeDecoder().decode(image.content());
        // The type read from the bytes, which checkInlineImages has already matched against any declared one.
        String type = FileTypes.imageType(bytes).orElseThrow();
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(bytes, type)));
        part.setContentID("<" + image.contentId() + ">");
        part.setDisposition(Part.INLINE);
        if (image.fileName() != null && !image.fileName().isBlank()) {
            part.setFileName(image.fileName());
        }
        return part;
    }

    /** multipart/related with the type parameter RFC 2387 requires: the html is its root. */
    private static final class RelatedMultipart extends MimeMultipart {

        RelatedMultipart() throws MessagingException {
            super("related");
            ContentType type = new ContentType(contentType);
            type.setParameter("type", "text/html");
            contentType = type.toString();
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
