package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.EmailAddresses;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What comes back about a sent message: bounces reported after the relay accepted it, and
 * complaints. A message is found by its VERP token (our own envelope, which a report cannot forge
 * for another account's message) and only then by the Message-ID the report names. A hard bounce or
 * a complaint becomes an event of the message; the contacts module, which consumes the events,
 * suppresses the address in the message's account and marks its contact (ADR 0009).
 */
@Service
public class DeliveryFeedback {

    private final JdbcClient jdbc;
    private final MessageEvents events;

    DeliveryFeedback(JdbcClient jdbc, MessageEvents events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    /** The message a report is about. */
    public record Match(long messageId, AccountId account, UUID apiKeyId, List<String> recipients) {
    }

    public Optional<Match> find(String verpToken, String originalMessageId) {
        Optional<Match> byVerp = verpToken == null || verpToken.length() > 40 ? Optional.empty()
                : match("verp_token = ?", verpToken);
        if (byVerp.isPresent() || originalMessageId == null || originalMessageId.length() > 300) {
            return byVerp;
        }
        return match("message_id = ?", originalMessageId);
    }

    private Optional<Match> match(String where, String value) {
        return jdbc.sql("select id, account_id, api_key_id, recipients from message where " + where).param(value)
                .query((rs, n) -> new Match(rs.getLong(1), new AccountId(rs.getObject(2, UUID.class)),
                        rs.getObject(3, UUID.class), Arrays.asList(rs.getString(4).split("\n"))))
                .optional();
    }

    /**
     * Records a bounce: a hard one (with its recipient, when known) is a BOUNCED event and marks the
     * message bounced; a soft one (a delay report) is a DEFERRED event.
     */
    @Transactional
    public void bounced(Match match, String recipient, boolean hard, String status, String diagnostic) {
        String address = recipientOf(match, recipient);
        String detail = (hard ? "hard: " : "soft: ") + (status == null ? "" : status + " ")
                + (diagnostic == null ? "" : diagnostic);
        if (hard && address != null) {
            // The message's row before the event: on H2 the event append holds a lock until commit.
            jdbc.sql("update message set status = 'BOUNCED' where id = ? and status in ('DELIVERED', 'QUEUED')")
                    .param(match.messageId()).update();
        }
        events.record(new MessageEvents.Event(match.account(), match.messageId(), match.apiKeyId(),
                hard ? "BOUNCED" : "DEFERRED", address, hard ? "HARD" : null, detail.strip()));
    }

    /** Records a complaint as a COMPLAINED event of the message. */
    @Transactional
    public void complained(Match match, String recipient, String feedbackType) {
        String address = recipientOf(match, recipient);
        events.record(new MessageEvents.Event(match.account(), match.messageId(), match.apiKeyId(), "COMPLAINED",
                address, feedbackType == null ? null : "feedback type " + feedbackType));
    }

    /** The reported recipient when it is one of the message's; otherwise the message's only recipient. */
    private static String recipientOf(Match match, String reported) {
        if (reported != null) {
            try {
                String normalised = EmailAddresses.normalise(reported);
                if (match.recipients().stream().anyMatch(r -> r.equalsIgnoreCase(normalised))) {
                    return normalised;
                }
            } catch (RuntimeException invalid) {
                // fall through to the message's own recipient
            }
        }
        return match.recipients().size() == 1 ? match.recipients().get(0) : null;
    }
}
