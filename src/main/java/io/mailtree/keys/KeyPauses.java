package io.mailtree.keys;

import io.mailtree.accounts.AccountTree;
import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.ApiKeyId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * D-19's pause of one key: set by the judge when a pause threshold is crossed, checked by the queue
 * on every send call ({@link #requireSendable}, one primary-key read), and lifted only by the
 * operator, with a reason that goes to the audit log (D-32). Pausing and resuming publish
 * {@link KeySendingPaused} and {@link KeySendingResumed} in their transaction, for the queue to hold
 * and release the key's queued mail (D-20: no other key is touched).
 */
@Service
public class KeyPauses {

    public static final int REASON_MAX = 500;

    /** A key's pause as the account and the operator see it. */
    public record Pause(UUID keyId, AccountId account, String keyName, Instant pausedAt, Long alertId,
            Instant resumedAt, String resumedBy, String resumeReason) {

        public boolean paused() {
            return pausedAt != null;
        }
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final AuditLog audit;
    private final AccountTree accounts;
    private final io.mailtree.tracking.Webhooks webhooks;

    KeyPauses(JdbcClient jdbc, Clock clock, ApplicationEventPublisher events, AuditLog audit, AccountTree accounts,
            io.mailtree.tracking.Webhooks webhooks) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.events = events;
        this.audit = audit;
        this.accounts = accounts;
        this.webhooks = webhooks;
    }

    /**
     * Refuses a send with a paused key and answers the key's label ({@code TRANSACTIONAL},
     * {@code MARKETING} or null), read with the same primary-key lookup, for the queue's priority; a
     * key never judged, or resumed, passes. A null key (mail sent from the pages) passes with no label.
     */
    public Optional<KeyLabel> requireSendable(ApiKeyId key) {
        if (key == null) {
            return Optional.empty();
        }
        record Row(String name, String label, Instant pausedAt) {
        }
        Optional<Row> row = jdbc.sql("select k.name, k.label, r.paused_at from api_key k"
                + " left join key_reputation r on r.api_key_id = k.id where k.id = ?")
                .param(key.value())
                .query((rs, n) -> new Row(rs.getString(1), rs.getString(2), Times.instant(rs, "paused_at"))).optional();
        if (row.isPresent() && row.get().pausedAt() != null) {
            throw new KeyPaused(row.get().name(), row.get().pausedAt());
        }
        return row.map(r -> KeyLabel.valueOf(r.label()));
    }

    /** The key's pause state, or empty when reputation has never seen the key. */
    public Optional<Pause> of(UUID key) {
        return jdbc.sql(SELECT + " where r.api_key_id = ?").param(key).query(KeyPauses::pause).optional();
    }

    /** Every key paused now, oldest pause first, for the operator. */
    public List<Pause> pausedNow() {
        return jdbc.sql(SELECT + " where r.paused_at is not null order by r.paused_at").query(KeyPauses::pause).list();
    }

    private static final String SELECT = """
            select r.api_key_id, r.account_id, k.name, r.paused_at, r.paused_alert, r.resumed_at, r.resumed_by,
                r.resume_reason
            from key_reputation r join api_key k on k.id = r.api_key_id""";

    private static Pause pause(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        long alert = rs.getLong("paused_alert");
        return new Pause(rs.getObject("api_key_id", UUID.class), new AccountId(rs.getObject("account_id", UUID.class)),
                rs.getString("name"), Times.instant(rs, "paused_at"), rs.wasNull() ? null : alert,
                Times.instant(rs, "resumed_at"), rs.getString("resumed_by"), rs.getString("resume_reason"));
    }

    /** Pauses the key (already counted by the consumer, so its row exists); false if it was paused already. */
    boolean pause(UUID key, AccountId account, long alertId, Instant at) {
        int changed = jdbc.sql("update key_reputation set paused_at = ?, paused_alert = ? where api_key_id = ?"
                + " and paused_at is null").params(Times.sql(at), alertId, key).update();
        if (changed > 0) {
            events.publishEvent(new KeySendingPaused(new ApiKeyId(key), account));
        }
        return changed > 0;
    }

    /**
     * The operator resumes a paused key: its held mail is released (through {@link KeySendingResumed})
     * and the act is audited with the reason. The key's threshold states stay as they are, so it is
     * paused again only when a rate falls below a pause threshold and crosses it anew.
     *
     * @throws DomainProblem {@code api_key_not_found} (404), {@code key_not_paused} (409) or
     *                       {@code resume_reason_required} (400)
     */
    @Transactional
    public Pause resume(UUID key, String reason, String operator, String address) {
        String why = reason == null ? "" : reason.strip();
        if (why.isEmpty() || why.length() > REASON_MAX) {
            throw DomainProblem.invalid("resume_reason_required", "say why the key is resumed, in at most "
                    + REASON_MAX + " characters", REASON_MAX).with("field", "reason");
        }
        Pause pause = of(key).orElseThrow(() -> DomainProblem.notFound("api_key_not_found", "API key"));
        if (!pause.paused()) {
            throw DomainProblem.conflict("key_not_paused", "the key " + pause.keyName() + " is not paused",
                    pause.keyName());
        }
        Instant now = clock.instant();
        jdbc.sql("update key_reputation set paused_at = null, resumed_at = ?, resumed_by = ?, resume_reason = ?"
                + " where api_key_id = ? and paused_at is not null")
                .params(Times.sql(now), operator, why, key).update();
        AccountId root = accounts.require(pause.account()).rootId();
        audit.recordOperator(operator, address, root, pause.account(), "key.resumed",
                "key " + pause.keyName() + " (" + key + ") resumed: " + why);
        events.publishEvent(new KeySendingResumed(new ApiKeyId(key), pause.account()));
        java.util.Map<String, Object> data = java.util.Map.of("apiKeyId", key.toString(), "keyName", pause.keyName(),
                "accountId", pause.account().toString(), "reason", why, "resumedAt", now.toString());
        webhooks.publish(pause.account(), io.mailtree.tracking.WebhookEventTypes.KEY_RESUMED, data);
        if (!root.equals(pause.account())) {
            webhooks.publish(root, io.mailtree.tracking.WebhookEventTypes.KEY_RESUMED, data);
        }
        return of(key).orElseThrow();
    }
}
