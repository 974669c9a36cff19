package io.mailtree.inbound;

import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePartDataSource;
import jakarta.mail.internet.ParseException;
import jakarta.mail.util.SharedByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a returned message into a {@link Report}. Anyone who can reach a bounce address can send
 * anything to it, so this is a pure function that never throws: what it cannot read becomes an
 * {@link Report.Kind#UNRECOGNISED} report saying why, and it looks at no more than the first 5 MB
 * of a message (the machine-readable parts of a report come before the returned original).
 * Everything it does takes time linear in what it reads: a part is read up to 256 KB, a field up
 * to 4,096 characters, and Message-IDs are found by a single scan rather than a pattern that could
 * backtrack (a run of {@code @} without a closing {@code >} once took minutes to reject).
 */
public final class BounceReports {

    private static final int MAX_MESSAGE_BYTES = 5 * 1024 * 1024;
    private static final int MAX_PART_BYTES = 256 * 1024;
    private static final int MAX_FIELD_CHARS = 4096;
    private static final int MAX_DIAGNOSTIC_CHARS = 1000;
    private static final int MAX_MESSAGE_ID_CHARS = 998;
    private static final int MAX_PROBLEM_DETAIL_CHARS = 200;
    private static final String VERP_PREFIX = "bounces+";
    private static final Set<String> ACTIONS = Set.of("failed", "delayed", "delivered", "relayed", "expanded");
    private static final Pattern STATUS = Pattern.compile("(?<![\\d.])([245]\\.\\d{1,3}\\.\\d{1,3})(?![\\d.])");
    private static final Pattern VERP_TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,200}");
    private static final Pattern FEEDBACK_TYPE = Pattern.compile("[a-z0-9-]{1,64}");
    private static final Pattern DIAGNOSTIC_TYPE = Pattern.compile("^\\s*[A-Za-z][A-Za-z0-9-]*\\s*;");
    private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");
    private static final Pattern NOT_PRINTABLE = Pattern.compile("[\\p{Cntrl}\\s]+");
    private static final Session SESSION = lenientSession();

    private BounceReports() {
    }

    /**
     * Reads a message that arrived at a bounce or feedback-loop address.
     *
     * @param rawMessage the message as received, headers and body
     * @param envelopeRecipient the SMTP recipient it was delivered to, such as
     *        {@code bounces+abc123@bounce.example}; may be null
     */
    public static Report parse(byte[] rawMessage, String envelopeRecipient) {
        String envelope = envelopeAddress(envelopeRecipient);
        String token = verpToken(envelope);
        try {
            return read(rawMessage, envelope, token);
        } catch (MessagingException | IOException | RuntimeException unreadable) {
            String detail = unreadable.getMessage() == null ? unreadable.getClass().getSimpleName()
                    : unreadable.getMessage();
            return unrecognised(envelope, token, "unreadable MIME: " + printable(detail, MAX_PROBLEM_DETAIL_CHARS));
        }
    }

    private static Report read(byte[] rawMessage, String envelope, String token)
            throws MessagingException, IOException {
        if (rawMessage == null || rawMessage.length == 0) {
            return unrecognised(envelope, token, "the message is empty");
        }
        byte[] bounded = rawMessage.length > MAX_MESSAGE_BYTES ? Arrays.copyOf(rawMessage, MAX_MESSAGE_BYTES)
                : rawMessage;
        MimeMessage message = new MimeMessage(SESSION, new SharedByteArrayInputStream(bounded));
        ContentType type;
        try {
            type = new ContentType(message.getContentType());
        } catch (ParseException unparseable) {
            return unrecognised(envelope, token, "the Content-Type cannot be read");
        }
        if (!type.match("multipart/report")) {
            return unrecognised(envelope, token, "not a report: the message is "
                    + printable(type.getBaseType(), MAX_PROBLEM_DETAIL_CHARS));
        }
        String reportType = type.getParameter("report-type");
        Multipart parts = new MimeMultipart(new MimePartDataSource(message));
        if ("delivery-status".equalsIgnoreCase(reportType)) {
            return deliveryStatus(message, parts, envelope, token);
        }
        if ("feedback-report".equalsIgnoreCase(reportType)) {
            return feedback(message, parts, envelope, token);
        }
        return unrecognised(envelope, token, "report-type " + printable(reportType, MAX_PROBLEM_DETAIL_CHARS)
                + " is neither delivery-status nor feedback-report");
    }

    /** RFC 3464: per-message fields, then one block of fields per recipient; the first is used. */
    private static Report deliveryStatus(MimeMessage message, Multipart parts, String envelope, String token)
            throws MessagingException, IOException {
        BodyPart statusPart = firstOf(parts, "message/delivery-status", "message/global-delivery-status");
        if (statusPart == null) {
            return unrecognised(envelope, token, "a delivery-status report without a message/delivery-status part");
        }
        List<Fields> blocks = Fields.blocks(text(statusPart), 2);
        Fields perRecipient = blocks.stream().filter(Fields::describesRecipient).findFirst().orElse(null);
        Fields perMessage = blocks.isEmpty() || blocks.get(0) == perRecipient ? Fields.NONE : blocks.get(0);
        String reportedId = perMessage.get("original-message-id");
        if (perRecipient == null) {
            return new Report(Report.Kind.DSN, envelope, token, originalMessageId(message, parts, reportedId), null,
                    null, null, false, null, null, "the delivery-status part has no per-recipient fields");
        }
        if (reportedId == null) {
            reportedId = perRecipient.get("original-message-id");
        }
        String recipient = recipient(perRecipient.get("original-recipient"));
        if (recipient == null) {
            recipient = recipient(perRecipient.get("final-recipient"));
        }
        String action = action(perRecipient.get("action"));
        String status = status(perRecipient.get("status"));
        String problem = recipient == null ? "the per-recipient fields name no readable recipient"
                : action == null ? "the per-recipient fields have no known Action"
                : status == null ? "the per-recipient fields have no Status" : null;
        return new Report(Report.Kind.DSN, envelope, token, originalMessageId(message, parts, reportedId), recipient,
                action, status, "failed".equals(action) && status != null && status.startsWith("5"),
                diagnostic(perRecipient.get("diagnostic-code")), null, problem);
    }

    /** RFC 5965: one block of fields, followed by the original message or its headers. */
    private static Report feedback(MimeMessage message, Multipart parts, String envelope, String token)
            throws MessagingException, IOException {
        BodyPart feedbackPart = firstOf(parts, "message/feedback-report");
        if (feedbackPart == null) {
            return unrecognised(envelope, token, "a feedback report without a message/feedback-report part");
        }
        Fields fields = Fields.blocks(text(feedbackPart), 1).stream().findFirst().orElse(Fields.NONE);
        String feedbackType = feedbackType(fields.get("feedback-type"));
        // The token comes from our own envelope only: an Original-Mail-From is what the sender of the
        // report claims, and any recipient can copy the return path of the message they received.
        return new Report(Report.Kind.ARF, envelope, token,
                originalMessageId(message, parts, fields.get("original-message-id")),
                recipient(fields.get("original-rcpt-to")), null, null, false, null, feedbackType,
                feedbackType == null ? "the feedback report has no readable Feedback-Type" : null);
    }

    /**
     * The first well-formed id among, in order: the one the report states, the attached original's
     * Message-ID, and the report's own In-Reply-To and (last) References.
     */
    private static String originalMessageId(MimeMessage message, Multipart parts, String reported)
            throws MessagingException, IOException {
        String id = firstMessageId(reported);
        if (id == null) {
            BodyPart original = firstOf(parts, "text/rfc822-headers", "message/rfc822", "message/global",
                    "message/global-headers");
            if (original != null) {
                id = firstMessageId(Fields.blocks(text(original), 1).stream().findFirst().orElse(Fields.NONE)
                        .get("message-id"));
            }
        }
        if (id == null) {
            id = firstMessageId(message.getHeader("In-Reply-To", " "));
        }
        if (id == null) {
            id = lastMessageId(message.getHeader("References", " "));
        }
        return id;
    }

    private static String firstMessageId(String value) {
        String id = messageId(value, false);
        return id != null && id.length() <= MAX_MESSAGE_ID_CHARS ? id : null;
    }

    private static String lastMessageId(String value) {
        String id = messageId(value, true);
        return id != null && id.length() <= MAX_MESSAGE_ID_CHARS ? id : null;
    }

    /**
     * The first (or last) {@code <left@right>} in the value: both sides non-empty, and no angle
     * bracket or white space inside, as {@code <[^<>\s]+@[^<>\s]+>} would find it, but in one pass
     * over the value. Such an id ends at the first bracket or space after its {@code <}, so a start
     * that fails needs no second look: the scan goes on from where that run stopped.
     */
    private static String messageId(String value, boolean last) {
        if (value == null) {
            return null;
        }
        String found = null;
        int length = value.length();
        int start = value.indexOf('<');
        while (start >= 0) {
            int end = start + 1;
            int at = -1;
            while (end < length && !endsRun(value.charAt(end))) {
                if (at < 0 && value.charAt(end) == '@' && end > start + 1) {
                    at = end;
                }
                end++;
            }
            if (end == length) {
                break;
            }
            if (value.charAt(end) == '>' && at > 0 && at < end - 1) {
                found = value.substring(start, end + 1);
                if (!last) {
                    return found;
                }
            }
            start = value.charAt(end) == '<' ? end : value.indexOf('<', end + 1);
        }
        return found;
    }

    /** A character that no Message-ID holds: an angle bracket, or white space as {@code \s} means it. */
    private static boolean endsRun(char c) {
        return c == '<' || c == '>' || c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    private static BodyPart firstOf(Multipart parts, String... types) throws MessagingException {
        for (int i = 0; i < parts.getCount(); i++) {
            BodyPart part = parts.getBodyPart(i);
            for (String type : types) {
                if (part.isMimeType(type)) {
                    return part;
                }
            }
        }
        return null;
    }

    /**
     * A part's decoded text, read from its stream rather than {@code getContent()}, whose type
     * depends on the content handlers installed (a String, an InputStream or parsed headers).
     */
    private static String text(BodyPart part) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            return new String(in.readNBytes(MAX_PART_BYTES), StandardCharsets.UTF_8);
        }
    }

    /** An address-type field ({@code rfc822; someone@example.com}) as a normalised address, or null. */
    private static String recipient(String field) {
        if (field == null) {
            return null;
        }
        String address = field.substring(field.indexOf(';') + 1).strip();
        if (address.startsWith("<") && address.endsWith(">")) {
            address = address.substring(1, address.length() - 1);
        }
        try {
            return EmailAddresses.normalise(address);
        } catch (DomainProblem notAnAddress) {
            return null;
        }
    }

    private static String envelopeAddress(String raw) {
        if (raw == null) {
            return null;
        }
        String address = raw.strip();
        if (address.startsWith("<") && address.endsWith(">")) {
            address = address.substring(1, address.length() - 1).strip();
        }
        return address.isEmpty() ? null : address;
    }

    private static String verpToken(String address) {
        if (address == null) {
            return null;
        }
        int at = address.lastIndexOf('@');
        if (at <= VERP_PREFIX.length() || !address.regionMatches(true, 0, VERP_PREFIX, 0, VERP_PREFIX.length())) {
            return null;
        }
        String token = address.substring(VERP_PREFIX.length(), at);
        return VERP_TOKEN.matcher(token).matches() ? token : null;
    }

    /** The action keyword, ignoring any comment after it ({@code failed (bad destination)}). */
    private static String action(String field) {
        if (field == null) {
            return null;
        }
        String action = field.strip().split("[\\s(]", 2)[0].toLowerCase(Locale.ROOT);
        return ACTIONS.contains(action) ? action : null;
    }

    private static String feedbackType(String field) {
        if (field == null) {
            return null;
        }
        String type = field.strip().toLowerCase(Locale.ROOT);
        return FEEDBACK_TYPE.matcher(type).matches() ? type : null;
    }

    private static String status(String field) {
        if (field == null) {
            return null;
        }
        Matcher status = STATUS.matcher(field);
        return status.find() ? status.group(1) : null;
    }

    /** Diagnostic-Code is {@code type; text}: the text, on one line and at most 1000 characters. */
    private static String diagnostic(String field) {
        if (field == null) {
            return null;
        }
        String diagnostic = printable(DIAGNOSTIC_TYPE.matcher(field).replaceFirst(""), MAX_DIAGNOSTIC_CHARS);
        return diagnostic.isEmpty() ? null : diagnostic;
    }

    /** Text from the message made safe for logs and screens: one line, bounded. */
    private static String printable(String value, int max) {
        String line = value == null ? "" : NOT_PRINTABLE.matcher(value).replaceAll(" ").strip();
        return line.length() > max ? line.substring(0, max) : line;
    }

    private static Report unrecognised(String envelope, String token, String problem) {
        return new Report(Report.Kind.UNRECOGNISED, envelope, token, null, null, null, null, false, null, null,
                problem);
    }

    /** Tolerates the damage bounces come with: broken base64, missing boundaries and end boundaries. */
    private static Session lenientSession() {
        Properties properties = new Properties();
        properties.setProperty("mail.mime.base64.ignoreerrors", "true");
        properties.setProperty("mail.mime.multipart.ignoremissingboundaryparameter", "true");
        properties.setProperty("mail.mime.multipart.ignoremissingendboundary", "true");
        return Session.getInstance(properties);
    }

    /**
     * One block of header-style fields ({@code Name: value}), as the parts of a report hold them:
     * names in lower case, continuation lines unfolded, the first of repeated fields kept.
     */
    private static final class Fields {

        static final Fields NONE = new Fields(List.of());

        private final Map<String, String> values = new HashMap<>();

        private Fields(List<StringBuilder> lines) {
            for (StringBuilder line : lines) {
                int colon = line.indexOf(":");
                if (colon > 0) {
                    values.putIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                            line.substring(colon + 1).strip());
                }
            }
        }

        /**
         * Splits text into blocks separated by blank lines, stopping after {@code max} blocks. A field
         * keeps at most 4,096 characters, however long its line or its folding.
         */
        static List<Fields> blocks(String text, int max) {
            List<Fields> blocks = new ArrayList<>();
            List<StringBuilder> lines = new ArrayList<>();
            for (String line : LINE_BREAK.split(text)) {
                if (line.isBlank()) {
                    if (!lines.isEmpty()) {
                        blocks.add(new Fields(lines));
                        lines = new ArrayList<>();
                        if (blocks.size() == max) {
                            return blocks;
                        }
                    }
                } else if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !lines.isEmpty()) {
                    StringBuilder field = lines.get(lines.size() - 1);
                    int room = MAX_FIELD_CHARS - field.length() - 1;
                    if (room > 0) {
                        String more = line.strip();
                        field.append(' ').append(more, 0, Math.min(more.length(), room));
                    }
                } else {
                    lines.add(new StringBuilder(line.substring(0, Math.min(line.length(), MAX_FIELD_CHARS))));
                }
            }
            if (!lines.isEmpty()) {
                blocks.add(new Fields(lines));
            }
            return blocks;
        }

        String get(String name) {
            return values.get(name);
        }

        boolean describesRecipient() {
            return values.containsKey("final-recipient") || values.containsKey("original-recipient")
                    || values.containsKey("action");
        }
    }
}
