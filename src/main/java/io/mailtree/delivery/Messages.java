package io.mailtree.delivery;

import io.mailtree.accounts.AccountStatus;
import io.mailtree.accounts.AccountTree;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Ids;
import io.mailtree.shared.Times;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** The read side of sending: a message with its event timeline, and the search of the Messages page. */
@Service
public class Messages {

    /** What pages and the API show of a message: everything but its MIME, which can weigh megabytes. */
    private static final String COLUMNS = """
            m.id, m.public_id, m.status, m.api_key_id, m.from_email, m.recipients, m.subject, m.custom_id, m.attempts,
            m.last_error, m.created_at, m.delivered_at, m.message_id, m.event_payload""";

    private final JdbcClient jdbc;

    private final AccountTree accounts;

    Messages(JdbcClient jdbc, AccountTree accounts) {
        this.jdbc = jdbc;
        this.accounts = accounts;
    }

    /**
     * Whether the account is inactive, so that its queued mail is held (D-12) even where it is not
     * marked HELD (accepted while the account was being deactivated): asked of the tree, once per read.
     */
    private boolean held(AccountId account) {
        return accounts.find(account).map(a -> a.status() == AccountStatus.INACTIVE).orElse(false);
    }

    /** A message as listed. */
    public record Summary(String id, String status, boolean held, String from, List<String> recipients, String subject,
            String customId, String apiKeyId, int attempts, String lastError, Instant createdAt, Instant deliveredAt) {
    }

    /**
     * One event of a message's timeline; {@code recipients} is how many recipients an ACCEPTED event
     * covers (null for the other events).
     */
    public record Event(String type, String recipient, String detail, Integer recipients, Instant occurredAt) {
    }

    /** A message with its events. */
    public record Detail(Summary message, String messageId, String eventPayload, List<Event> events) {
    }

    /** Whether the relay has taken one of the account's messages: its first send is done. */
    public boolean hasDelivered(AccountId account) {
        return jdbc.sql("select count(*) from (select 1 from message where account_id = ? and status = 'DELIVERED' limit 1) m")
                .param(account.value()).query(Long.class).single() > 0;
    }

    public Detail get(AccountId account, String publicId) {
        UUID id = Ids.parseUuid(publicId).orElseThrow(() -> DomainProblem.notFound("message_not_found", "message"));
        boolean accountHeld = held(account);
        return jdbc.sql("select " + COLUMNS + " from message m where m.account_id = ? and m.public_id = ?")
                .params(account.value(), id)
                .query((rs, n) -> new Detail(summary(rs, accountHeld), rs.getString("message_id"), rs.getString("event_payload"),
                        events(rs.getLong("id"))))
                .optional().orElseThrow(() -> DomainProblem.notFound("message_not_found", "message"));
    }

    /**
     * Newest first; every filter optional. {@code before} is the id of the last message of the
     * previous page: the next page starts after it (keyset paging, stable under concurrent sends).
     */
    public List<Summary> search(AccountId account, String recipient, String status, Instant from, Instant to,
            String apiKeyId, String before, int limit) {
        if (limit < 1 || limit > 200) {
            throw DomainProblem.invalid("invalid_limit", "limit must be between 1 and 200");
        }
        StringBuilder sql = new StringBuilder("select " + COLUMNS + " from message m where m.account_id = ?");
        List<Object> params = new ArrayList<>(List.of(account.value()));
        if (recipient != null && !recipient.isBlank()) {
            sql.append(" and lower(m.recipients) like ?");
            params.add("%" + recipient.strip().toLowerCase(Locale.ROOT).replace("%", "").replace("_", "\\_") + "%");
        }
        if (status != null && !status.isBlank()) {
            sql.append(" and m.status = ?");
            params.add(status.strip().toUpperCase(Locale.ROOT));
        }
        if (from != null) {
            sql.append(" and m.created_at >= ?");
            params.add(Times.sql(from));
        }
        if (to != null) {
            sql.append(" and m.created_at < ?");
            params.add(Times.sql(to));
        }
        if (apiKeyId != null && !apiKeyId.isBlank()) {
            sql.append(" and m.api_key_id = ?");
            params.add(Ids.parseUuid(apiKeyId).orElseThrow(() -> DomainProblem.invalid("invalid_key_id", "not a key id")));
        }
        if (before != null && !before.isBlank()) {
            UUID position = Ids.parseUuid(before.strip())
                    .orElseThrow(() -> DomainProblem.invalid("invalid_cursor", "not a position of this list"));
            sql.append(" and m.id < (select p.id from message p where p.account_id = ? and p.public_id = ?)");
            params.add(account.value());
            params.add(position);
        }
        sql.append(" order by m.id desc limit ?");
        params.add(limit);
        boolean accountHeld = held(account);
        return jdbc.sql(sql.toString()).params(params).query((rs, n) -> summary(rs, accountHeld)).list();
    }

    private List<Event> events(long messageId) {
        return jdbc.sql("select * from message_event where message_id = ? order by id").param(messageId)
                .query((rs, n) -> new Event(rs.getString("event_type"), rs.getString("recipient"), rs.getString("detail"),
                        rs.getObject("recipient_count", Integer.class), Times.instant(rs, "occurred_at")))
                .list();
    }

    private static Summary summary(java.sql.ResultSet rs, boolean accountHeld) throws java.sql.SQLException {
        String status = rs.getString("status");
        Object key = rs.getObject("api_key_id");
        return new Summary(rs.getObject("public_id").toString(), status,
                MessageStatus.HELD.name().equals(status) || MessageStatus.QUEUED.name().equals(status) && accountHeld,
                rs.getString("from_email"),
                Arrays.asList(rs.getString("recipients").split("\n")), rs.getString("subject"), rs.getString("custom_id"),
                key == null ? null : key.toString(), rs.getInt("attempts"), rs.getString("last_error"),
                Times.instant(rs, "created_at"), Times.instant(rs, "delivered_at"));
    }
}
