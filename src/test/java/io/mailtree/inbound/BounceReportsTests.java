package io.mailtree.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.mailtree.inbound.Report.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BounceReportsTests {

    private static final String VERP = "bounces+abc123@bounce.example";

    /** Postfix returning a message to an unknown user, with the original's headers attached. */
    private static final String HARD_BOUNCE = """
            Return-Path: <>
            Received: by mx.mailtree.example (Postfix)
                id 4A1B2C3D; Tue, 14 Jan 2025 10:15:02 +0000 (UTC)
            Date: Tue, 14 Jan 2025 10:15:02 +0000 (UTC)
            From: MAILER-DAEMON@mx.mailtree.example (Mail Delivery System)
            Subject: Undelivered Mail Returned to Sender
            To: bounces+abc123@bounce.example
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status;
                boundary="4A1B2C3D.1736849702/mx.mailtree.example"
            Content-Transfer-Encoding: 7bit
            Message-Id: <20250114101502.4A1B2C3D@mx.mailtree.example>

            This is a MIME-encapsulated message.

            --4A1B2C3D.1736849702/mx.mailtree.example
            Content-Description: Notification
            Content-Type: text/plain; charset=us-ascii

            This is the mail system at host mx.mailtree.example.

            I'm sorry to have to inform you that your message could not
            be delivered to one or more recipients. It's attached below.

                               The mail system

            <nobody@example.org>: host mx.example.org[203.0.113.5] said: 550 5.1.1
                <nobody@example.org>: Recipient address rejected: User unknown in virtual
                mailbox table (in reply to RCPT TO command)

            --4A1B2C3D.1736849702/mx.mailtree.example
            Content-Description: Delivery report
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.mailtree.example
            X-Postfix-Queue-ID: 4A1B2C3D
            X-Postfix-Sender: rfc822; bounces+abc123@bounce.example
            Arrival-Date: Tue, 14 Jan 2025 10:15:01 +0000 (UTC)

            Final-Recipient: rfc822; nobody@example.org
            Original-Recipient: rfc822;nobody@Example.ORG
            Action: failed
            Status: 5.1.1
            Remote-MTA: dns; mx.example.org
            Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.org>: Recipient address
                rejected: User unknown in virtual mailbox table

            --4A1B2C3D.1736849702/mx.mailtree.example
            Content-Description: Undelivered Message Headers
            Content-Type: text/rfc822-headers

            Return-Path: <bounces+abc123@bounce.example>
            Received: from app.mailtree.example (app.mailtree.example [198.51.100.7])
                by mx.mailtree.example (Postfix) with ESMTP id 4A1B2C3D
                for <nobody@example.org>; Tue, 14 Jan 2025 10:15:01 +0000 (UTC)
            From: Shop News <news@shop.example>
            To: nobody@example.org
            Subject: Our spring sale
            Date: Tue, 14 Jan 2025 10:15:00 +0000
            Message-ID: <m-42.1736849700@mailtree.example>
            MIME-Version: 1.0

            --4A1B2C3D.1736849702/mx.mailtree.example--
            """;

    /** Postfix warning that a message is still being retried because the mailbox is full. */
    private static final String SOFT_BOUNCE = """
            Date: Wed, 15 Jan 2025 06:00:10 +0000 (UTC)
            From: MAILER-DAEMON@mx.mailtree.example (Mail Delivery System)
            Subject: Delayed Mail (still being retried)
            To: bounces+def456@bounce.example
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type="delivery-status";
                boundary="7F3E.1736920810/mx.mailtree.example"

            --7F3E.1736920810/mx.mailtree.example
            Content-Type: text/plain; charset=us-ascii

            This is the mail system at host mx.mailtree.example.
            Your message could not be delivered for 4.0 hours. It will be retried until it is 5.0 days old.

            --7F3E.1736920810/mx.mailtree.example
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.mailtree.example
            Arrival-Date: Wed, 15 Jan 2025 02:00:00 +0000 (UTC)

            Final-Recipient: rfc822; Full@Example.NET
            Action: delayed
            Status: 4.2.2
            Diagnostic-Code: smtp; 452 4.2.2 Mailbox full
            Will-Retry-Until: Mon, 20 Jan 2025 02:00:00 +0000 (UTC)

            --7F3E.1736920810/mx.mailtree.example
            Content-Type: text/rfc822-headers

            From: Shop News <news@shop.example>
            To: Full@Example.NET
            Subject: Our spring sale
            Message-ID: <m-43.1736906400@mailtree.example>

            --7F3E.1736920810/mx.mailtree.example--
            """;

    /** A feedback-loop complaint sent to a fixed address, with the whole original attached. */
    private static final String COMPLAINT = """
            From: Feedback Loop <fbl@isp.example>
            To: fbl@bounce.example
            Subject: Email Feedback Report for IP 198.51.100.7
            Date: Thu, 16 Jan 2025 08:30:00 +0000
            Message-ID: <report-8812@isp.example>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=feedback-report;
                boundary="----=_Part_7_1234.5678"

            ------=_Part_7_1234.5678
            Content-Type: text/plain; charset="US-ASCII"
            Content-Transfer-Encoding: 7bit

            This is an email abuse report for an email message received from IP 198.51.100.7
            on Thu, 16 Jan 2025 08:29:12 +0000.

            ------=_Part_7_1234.5678
            Content-Type: message/feedback-report

            Feedback-Type: abuse
            User-Agent: ISP-FBL/2.1
            Version: 1
            Original-Mail-From: <bounces+xyz789@bounce.example>
            Original-Rcpt-To: <reader@example.com>
            Arrival-Date: Thu, 16 Jan 2025 08:29:12 +0000
            Source-IP: 198.51.100.7
            Reported-Domain: shop.example

            ------=_Part_7_1234.5678
            Content-Type: message/rfc822
            Content-Disposition: inline

            Return-Path: <bounces+xyz789@bounce.example>
            From: Shop News <news@shop.example>
            To: reader@example.com
            Subject: Our spring sale
            Date: Thu, 16 Jan 2025 08:29:10 +0000
            Message-ID: <m-77.1736998150@mailtree.example>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8

            Hello reader, our spring sale starts today.

            ------=_Part_7_1234.5678--
            """;

    /** A DSN with only its per-message fields; the bounce names the original in In-Reply-To. */
    private static final String NO_RECIPIENT_BLOCK = """
            From: MAILER-DAEMON@mx.example.org
            To: bounces+ghi012@bounce.example
            Subject: Delivery Status Notification (Failure)
            In-Reply-To: <m-99.1737000000@mailtree.example>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

            --b1
            Content-Type: text/plain

            Delivery failed.

            --b1
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.org
            Arrival-Date: Thu, 16 Jan 2025 09:00:00 +0000

            --b1--
            """;

    /** An out-of-office reply: mail that comes back but reports nothing. */
    private static final String AUTO_REPLY = """
            From: Reader <reader@example.com>
            To: bounces+abc123@bounce.example
            Subject: Out of office
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8

            I am away until Monday.
            """;

    @Test
    void readsAHardBounceWithTheOriginalHeadersAttached() {
        Report report = parse(HARD_BOUNCE, VERP);

        assertThat(report).isEqualTo(new Report(Kind.DSN, VERP, "abc123", "<m-42.1736849700@mailtree.example>",
                "nobody@example.org", "failed", "5.1.1", true,
                "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
                null, null));
    }

    @Test
    void aFailureWithATemporaryStatusIsNotHard() {
        Report report = parse(HARD_BOUNCE.replace("Status: 5.1.1", "Status: 4.4.7"), VERP);

        assertThat(report.action()).isEqualTo("failed");
        assertThat(report.status()).isEqualTo("4.4.7");
        assertThat(report.hard()).isFalse();
    }

    @Test
    void readsADelayAsASoftBounceAndFallsBackToTheFinalRecipient() {
        Report report = parse(SOFT_BOUNCE, "<bounces+def456@bounce.example>");

        assertThat(report).isEqualTo(new Report(Kind.DSN, "bounces+def456@bounce.example", "def456",
                "<m-43.1736906400@mailtree.example>", "Full@example.net", "delayed", "4.2.2", false,
                "452 4.2.2 Mailbox full", null, null));
    }

    /**
     * The complaint is read whole, but its Original-Mail-From is the reporter's claim, which any
     * recipient can copy from the message it received: the token comes from our envelope or not at all.
     */
    @Test
    void readsAnAbuseComplaintButTakesNoTokenFromItsBody() {
        Report report = parse(COMPLAINT, "fbl@bounce.example");

        assertThat(report).isEqualTo(new Report(Kind.ARF, "fbl@bounce.example", null,
                "<m-77.1736998150@mailtree.example>", "reader@example.com", null, null, false, null, "abuse", null));
    }

    @Test
    void aComplaintToAVerpAddressKeepsTheEnvelopeToken() {
        Report report = parse(COMPLAINT, VERP);

        assertThat(report.verpToken()).isEqualTo("abc123");
    }

    @Test
    void aDsnWithoutARecipientBlockSaysSoAndStillNamesTheOriginal() {
        Report report = parse(NO_RECIPIENT_BLOCK, "bounces+ghi012@bounce.example");

        assertThat(report).isEqualTo(new Report(Kind.DSN, "bounces+ghi012@bounce.example", "ghi012",
                "<m-99.1737000000@mailtree.example>", null, null, null, false, null, null,
                "the delivery-status part has no per-recipient fields"));
    }

    @Test
    void plainMailIsUnrecognisedButKeepsTheEnvelopeToken() {
        Report report = parse(AUTO_REPLY, VERP);

        assertThat(report).isEqualTo(new Report(Kind.UNRECOGNISED, VERP, "abc123", null, null, null, null, false,
                null, null, "not a report: the message is text/plain"));
    }

    @Test
    void readReceiptsAreUnrecognised() {
        Report report = parse(HARD_BOUNCE.replace("report-type=delivery-status", "report-type=disposition-notification"),
                VERP);

        assertThat(report.kind()).isEqualTo(Kind.UNRECOGNISED);
        assertThat(report.problem())
                .isEqualTo("report-type disposition-notification is neither delivery-status nor feedback-report");
    }

    @Test
    void anAddressWithoutTheVerpPrefixHasNoToken() {
        assertThat(parse(HARD_BOUNCE, "postmaster@bounce.example").verpToken()).isNull();
        assertThat(parse(HARD_BOUNCE, "bounces+@bounce.example").verpToken()).isNull();
        assertThat(parse(HARD_BOUNCE, null).verpToken()).isNull();
    }

    // --- hostile input -------------------------------------------------------------------------

    @Test
    void emptyAndMissingMessagesAreUnrecognised() {
        assertThat(BounceReports.parse(null, VERP).problem()).isEqualTo("the message is empty");
        assertThat(BounceReports.parse(new byte[0], VERP).problem()).isEqualTo("the message is empty");
    }

    @Test
    void garbageBytesAreUnrecognised() {
        byte[] garbage = new byte[64 * 1024];
        new Random(42).nextBytes(garbage);

        Report report = BounceReports.parse(garbage, VERP);

        assertThat(report.kind()).isEqualTo(Kind.UNRECOGNISED);
        assertThat(report.verpToken()).isEqualTo("abc123");
        assertThat(report.problem()).isEqualTo("not a report: the message is text/plain");
    }

    @Test
    void anUnparseableContentTypeIsUnrecognised() {
        Report report = parse(AUTO_REPLY.replace("text/plain; charset=utf-8", "multipart/report; ==;\"\"\"; boundary"),
                VERP);

        assertThat(report.kind()).isEqualTo(Kind.UNRECOGNISED);
        assertThat(report.problem()).isEqualTo("the Content-Type cannot be read");
    }

    @Test
    void aMultipartTruncatedBeforeTheStatusPartIsUnrecognised() {
        String truncated = HARD_BOUNCE.substring(0, HARD_BOUNCE.indexOf("Content-Description: Delivery report"));

        Report report = parse(truncated, VERP);

        assertThat(report.kind()).isEqualTo(Kind.UNRECOGNISED);
        assertThat(report.problem()).isEqualTo("a delivery-status report without a message/delivery-status part");
    }

    @Test
    void aMultipartTruncatedInsideTheStatusPartKeepsWhatItHas() {
        String truncated = HARD_BOUNCE.substring(0, HARD_BOUNCE.indexOf("Status: 5.1.1"));

        Report report = parse(truncated, VERP);

        assertThat(report).isEqualTo(new Report(Kind.DSN, VERP, "abc123", null, "nobody@example.org", "failed",
                null, false, null, null, "the per-recipient fields have no Status"));
    }

    @Test
    void aBoundaryThatNeverAppearsIsUnrecognised() {
        Report report = parse(HARD_BOUNCE.replace("boundary=\"4A1B2C3D.1736849702/mx.mailtree.example\"",
                "boundary=\"not-in-the-body\""), VERP);

        assertThat(report.kind()).isEqualTo(Kind.UNRECOGNISED);
        assertThat(report.problem()).isEqualTo("unreadable MIME: Missing start boundary");
    }

    @Test
    void tenThousandHeaderLinesDoNotHideTheReport() {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            headers.append("X-Trace-").append(i).append(": hop ").append(i).append(" via relay.example\n");
        }

        Report report = parse(headers + HARD_BOUNCE, VERP);

        assertThat(report).isEqualTo(parse(HARD_BOUNCE, VERP));
    }

    @Test
    void aFourMegabyteHeaderDoesNotHideTheReport() {
        Report report = parse("X-Junk: " + "a".repeat(4_000_000) + "\n" + HARD_BOUNCE, VERP);

        assertThat(report).isEqualTo(parse(HARD_BOUNCE, VERP));
    }

    @Test
    void aDiagnosticFoldedOverTenThousandLinesIsCutTo1000Characters() {
        String folded = "Diagnostic-Code: smtp; 550 5.1.1 user unknown" + "\n    and more".repeat(10_000);

        Report report = parse(HARD_BOUNCE.replace(
                "Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.org>: Recipient address", folded), VERP);

        assertThat(report.diagnostic()).hasSize(1000).startsWith("550 5.1.1 user unknown and more and more");
        assertThat(report.hard()).isTrue();
    }

    @Test
    void aMalformedMessageIdClaimFallsBackToTheAttachedHeaders() {
        String lying = HARD_BOUNCE.replace("X-Postfix-Queue-ID: 4A1B2C3D",
                "Original-Message-ID: <" + "x".repeat(2_000) + "@evil.example>");

        assertThat(parse(lying, VERP).originalMessageId()).isEqualTo("<m-42.1736849700@mailtree.example>");
    }

    @Test
    void aReportThatClaimsAnotherMessageStillCarriesTheEnvelopeToken() {
        String lying = HARD_BOUNCE.replace("X-Postfix-Queue-ID: 4A1B2C3D",
                "Original-Message-ID: <m-1.1600000000@mailtree.example>");

        Report report = parse(lying, VERP);

        assertThat(report.originalMessageId()).isEqualTo("<m-1.1600000000@mailtree.example>");
        assertThat(report.verpToken()).isEqualTo("abc123");
    }

    @Test
    void readsOnlyTheFirstFiveMegabytes() {
        String boundary = "--4A1B2C3D.1736849702/mx.mailtree.example";
        String hugeOriginal = HARD_BOUNCE.replace(boundary + "--", boundary + """

                Content-Type: message/rfc822

                Subject: padding

                """ + "0123456789abcdef\n".repeat(400_000) + boundary + "--\n");
        assertThat(hugeOriginal.length()).isGreaterThan(6_000_000);

        assertThat(parse(hugeOriginal, VERP)).isEqualTo(parse(HARD_BOUNCE, VERP));
    }

    @Test
    void theLastWellFormedReferenceNamesTheOriginal() {
        String references = NO_RECIPIENT_BLOCK.replace("In-Reply-To: <m-99.1737000000@mailtree.example>",
                "References: <no-at-sign> <@m-0.example> <m-1@first.example>\n <m-2@second.example> <m-3@\n"
                        + " <m-4@fourth.example <m-5@fifth.example>x <m 6@sixth.example>");

        assertThat(parse(references, VERP).originalMessageId()).isEqualTo("<m-5@fifth.example>");
        assertThat(parse(NO_RECIPIENT_BLOCK.replace("In-Reply-To: <m-99.1737000000@mailtree.example>",
                "In-Reply-To: <m-4@fourth.example <m-5@fifth.example> <m-6@sixth.example>"), VERP).originalMessageId())
                .isEqualTo("<m-5@fifth.example>");
    }

    /**
     * The bounce port's regular-expression denial of service: a Message-ID-like field of 60,000 '@'
     * without a closing '>' took the old pattern minutes to reject (it backtracked quadratically),
     * once per envelope recipient. Each hostile shape here is read ten times, as ten recipients would
     * have it read, well within two seconds even on a loaded machine.
     */
    @Test
    void hostileMessageIdsAreReadInLinearTime() {
        String ats = "<" + "@".repeat(60_000);
        String pairs = "<" + "a@".repeat(30_000);
        String starts = "<@@".repeat(20_000);
        for (String hostile : List.of(ats, pairs, starts)) {
            String report = HARD_BOUNCE.replace("X-Postfix-Queue-ID: 4A1B2C3D", "Original-Message-ID: " + hostile)
                    .replace("Message-ID: <m-42.1736849700@mailtree.example>", "Message-ID: " + hostile)
                    .replace("Auto-Submitted: auto-replied", "In-Reply-To: " + hostile + "\nReferences: " + hostile);
            Report[] parsed = new Report[10];
            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
                for (int recipient = 0; recipient < parsed.length; recipient++) {
                    parsed[recipient] = parse(report, VERP);
                }
            });
            assertThat(parsed[9].kind()).isEqualTo(Kind.DSN);
            assertThat(parsed[9].originalMessageId()).isNull();
            assertThat(parsed[9].recipient()).isEqualTo("nobody@example.org");
            assertThat(parsed[9].hard()).isTrue();
        }
    }

    private static Report parse(String message, String envelopeRecipient) {
        return BounceReports.parse(message.getBytes(StandardCharsets.UTF_8), envelopeRecipient);
    }
}
