package io.mailtree.support;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * Reports as a mailbox provider sends them back to the bounce domain: an ARF abuse report, and the
 * SMTP submission of any raw report to the application's inbound server.
 */
public final class InboundReports {

    private InboundReports() {
    }

    /**
     * An ARF (RFC 5965) abuse report from fbl@isp.example about the copy sent to {@code rcptTo};
     * {@code originalMailFrom} and {@code messageId} are left out when null. CRLF line ends.
     */
    public static String arf(String originalMailFrom, String rcptTo, String messageId, String subject) {
        return """
                From: fbl@isp.example
                To: fbl@bounces.mailtree.localhost
                Subject: Abuse report
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=feedback-report; boundary="ARF"

                --ARF
                Content-Type: message/feedback-report

                Feedback-Type: abuse
                Version: 1
                %sOriginal-Rcpt-To: <%s>

                --ARF
                Content-Type: message/rfc822

                To: %s
                %sSubject: %s

                Hello
                --ARF--
                """.formatted(originalMailFrom == null ? "" : "Original-Mail-From: <" + originalMailFrom + ">\n",
                rcptTo, rcptTo, messageId == null ? "" : "Message-ID: " + messageId + "\n", subject)
                .replace("\n", "\r\n");
    }

    /** Submits {@code raw} to the inbound SMTP server on {@code port} with the given envelope. */
    public static void send(int port, String envelopeFrom, String envelopeTo, String raw) throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", String.valueOf(port));
        SMTPMessage message = new SMTPMessage(Session.getInstance(properties),
                new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
        message.setEnvelopeFrom(envelopeFrom);
        Transport.send(message, new InternetAddress[] {new InternetAddress(envelopeTo)});
    }
}
