package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.shared.outcomes.OutcomeType;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What comes back about a sent message: bounces reported after the relay accepted it, and
 * complaints. A report is matched only by the return-path token of the envelope it was delivered to
 * ({@link ReturnPaths}), which names one message and one of its recipients; never by a Message-ID or
 * anything else the report's body claims, which anyone can write. A hard bounce or a complaint
 * becomes an event of the message; the contacts module, which consumes the events, suppresses that
 * recipient in the message's account and marks its contact (ADR 0010).
 */
@Service
public class DeliveryFeedback {

    private final JdbcClient jdbc;
    private final MessageEvents events;

    private final ReturnPaths returnPaths;

    DeliveryFeedback(JdbcClient jdbc, MessageEvents events, ReturnPaths returnPaths) {
        this.jdbc = jdbc;
        this.returnPaths = returnPaths;
        this.events = events;
    }

    /**
     * The message a report is about, and in {@code recipients} the one recipient its return path was
     * issued for: the only address the report may speak for.
     */
    public record Match(long messageId, AccountId account, UUID apiKeyId, List<String> recipients) {
    }

    /**
     * The message and recipient that a return-path token was issued for; empty for a token that is
     * malformed, altered, made up, or whose message is gone. Looks the message up by its primary key.
     */
    public Optional<Match> find(String returnPathToken) {
        OptionalLong id = ReturnPaths.messageOf(returnPathToken);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        record Row(AccountId account, UUID apiKeyId, List<String> recipients) {
        }
        Optional<Row> message = jdbc.sql("select account_id, api_key_id, recipients from message where id = ?")
                .param(id.getAsLong())
                .query((rs, n) -> new Row(new AccountId(rs.getObject(1, UUID.class)), rs.getObject(2, UUID.class),
                        Arrays.asList(rs.getString(3).split("\n"))))
                .optional();
        if (message.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> recipient = issuedFor(returnPathToken, id.getAsLong(), message.get().recipients());
        if (recipient.isEmpty()) {
            // A deferral keeps only the recipients still to try: the others are in the message's events.
            recipient = issuedFor(returnPathToken, id.getAsLong(), jdbc.sql(
                    "select distinct recipient from message_event where message_id = ? and recipient is not null")
                    .param(id.getAsLong()).query(String.class).list());
        }
        return recipient.map(address -> new Match(id.getAsLong(), message.get().account(), message.get().apiKeyId(),
                List.of(address)));
    }

    private Optional<String> issuedFor(String token, long messageId, List<String> candidates) {
        return candidates.stream().filter(candidate -> returnPaths.issuedFor(token, messageId, candidate)).findFirst();
    }

    /**
     * Records a bounce: a permanent one (with its recipient, when known) is a BOUNCED event and marks
     * the message bounced; a delay report is a DEFERRED event. What the permanent one is about comes
     * from its RFC 3463 status (or, without one, the diagnostic), as for a refusal at hand-over
     * ({@link SmtpOutcomes}): {@code HARD} when the address is at fault, {@code BLOCK} for a policy
     * refusal (X.7.x), and {@code SOFT} for a full mailbox or too many recipients (the remote server
     * has given up on this copy, but the address is not suppressed for it).
     */
    @Transactional
    public void bounced(Match match, String recipient, boolean hard, String status, String diagnostic) {
        String address = recipientOf(match, recipient);
        Optional<EnhancedStatus> code = EnhancedStatus.in(status).or(() -> EnhancedStatus.in(diagnostic));
        String bounceClass = !hard ? null
                : code.map(c -> c.isPolicy() ? Outcome.BLOCK : c.isUsuallyTransient() ? Outcome.SOFT : Outcome.HARD)
                        .orElse(Outcome.HARD);
        String prefix = !hard ? "soft: " : switch (bounceClass) {
            case Outcome.BLOCK -> "blocked: ";
            case Outcome.SOFT -> "soft: ";
            default -> "hard: ";
        };
        String detail = prefix + (status == null ? "" : status + " ") + (diagnostic == null ? "" : diagnostic);
        if (hard && address != null) {
            // The message's row before the event: on H2 the event append holds a lock until commit.
            jdbc.sql("update message set status = ? where id = ? and status in (?, ?, ?)")
                    .params(MessageStatus.BOUNCED.name(), match.messageId(), MessageStatus.DELIVERED.name(),
                            MessageStatus.QUEUED.name(), MessageStatus.HELD.name())
                    .update();
        }
        events.record(new MessageEvents.Event(match.account(), match.messageId(), match.apiKeyId(),
                hard ? OutcomeType.BOUNCED : OutcomeType.DEFERRED, address, bounceClass, detail.strip()));
    }

    /** Records a complaint as a COMPLAINED event of the message. */
    @Transactional
    public void complained(Match match, String recipient, String feedbackType) {
        String address = recipientOf(match, recipient);
        events.record(new MessageEvents.Event(match.account(), match.messageId(), match.apiKeyId(), OutcomeType.COMPLAINED,
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
