package io.mailtree.inbound;

import io.mailtree.delivery.DeliveryFeedback;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Takes in one report that came back: parses it, keeps it (matched or not, for inspection), and
 * tells delivery what it says about the original message. Never throws on what the report holds.
 */
@Service
public class ReportIntake {

    private final JdbcClient jdbc;
    private final DeliveryFeedback feedback;
    private final Clock clock;

    ReportIntake(JdbcClient jdbc, DeliveryFeedback feedback, Clock clock) {
        this.jdbc = jdbc;
        this.feedback = feedback;
        this.clock = clock;
    }

    /** Handles a report received for {@code envelopeRecipient}; answers what was made of it. */
    @Transactional
    public Report receive(byte[] raw, String envelopeRecipient, String remoteAddress) {
        Report report = BounceReports.parse(raw, envelopeRecipient);
        Optional<DeliveryFeedback.Match> match = report.kind() == Report.Kind.UNRECOGNISED ? Optional.empty()
                : feedback.find(report.verpToken(), report.originalMessageId());
        match.ifPresent(found -> {
            if (report.kind() == Report.Kind.ARF) {
                feedback.complained(found, report.recipient(), report.feedbackType());
            } else if ("failed".equals(report.action()) || "delayed".equals(report.action())) {
                feedback.bounced(found, report.recipient(), report.hard(), report.status(), report.diagnostic());
            }
        });
        jdbc.sql("""
                insert into inbound_report (received_at, remote_address, envelope_recipient, kind, verp_token,
                    original_message_id, recipient, action, status, hard, diagnostic, feedback_type, problem,
                    matched_message_id, matched_account_id)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(Times.sql(clock.instant()), cut(remoteAddress, 64), cut(envelopeRecipient, 254),
                        report.kind().name(), cut(report.verpToken(), 40), cut(report.originalMessageId(), 998),
                        cut(report.recipient(), 254), cut(report.action(), 20), cut(report.status(), 20), report.hard(),
                        cut(report.diagnostic(), 1000), cut(report.feedbackType(), 40),
                        cut(match.isEmpty() && report.problem() == null ? "no message matches this report"
                                : report.problem(), 1000),
                        match.map(DeliveryFeedback.Match::messageId).orElse(null),
                        match.map(m -> m.account().value()).orElse(null))
                .update();
        return report;
    }

    private static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
