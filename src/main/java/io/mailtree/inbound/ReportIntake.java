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
 * tells delivery what it says about the original message. A report acts only through the
 * return-path token of the envelope it was delivered to, and only on the recipient that token was
 * issued for: one that carries no valid token, or names another recipient than its token's, changes
 * nothing and is kept as unmatched, with the reason. Never throws on what the report holds.
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
                : feedback.find(report.verpToken());
        String unmatched = report.verpToken() == null ? "the envelope recipient holds no return-path token"
                : "no message matches this return-path token";
        if (match.isPresent() && report.recipient() != null
                && match.get().recipients().stream().noneMatch(report.recipient()::equalsIgnoreCase)) {
            // A recipient can send a report to the return path of its own copy: it speaks for that recipient only.
            match = Optional.empty();
            unmatched = "the report names " + report.recipient()
                    + ", not the recipient its return-path token was issued for";
        }
        match.ifPresent(found -> {
            if (report.kind() == Report.Kind.ARF) {
                feedback.complained(found, report.recipient(), report.feedbackType());
            } else if ("failed".equals(report.action()) || "delayed".equals(report.action())) {
                feedback.bounced(found, report.recipient(), report.hard(), report.status(), report.diagnostic());
            }
        });
        String problem = report.problem();
        if (match.isEmpty() && report.kind() != Report.Kind.UNRECOGNISED) {
            problem = problem == null ? unmatched : problem + "; " + unmatched;
        }
        jdbc.sql("""
                insert into inbound_report (received_at, remote_address, envelope_recipient, kind, verp_token,
                    original_message_id, recipient, action, status, hard, diagnostic, feedback_type, problem,
                    matched_message_id, matched_account_id)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(Times.sql(clock.instant()), cut(remoteAddress, 64), cut(envelopeRecipient, 254),
                        report.kind().name(), cut(report.verpToken(), 40), cut(report.originalMessageId(), 998),
                        cut(report.recipient(), 254), cut(report.action(), 20), cut(report.status(), 20), report.hard(),
                        cut(report.diagnostic(), 1000), cut(report.feedbackType(), 40),
                        cut(problem, 1000),
                        match.map(DeliveryFeedback.Match::messageId).orElse(null),
                        match.map(m -> m.account().value()).orElse(null))
                .update();
        return report;
    }

    private static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
