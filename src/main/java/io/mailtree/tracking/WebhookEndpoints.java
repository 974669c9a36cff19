package io.mailtree.tracking;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.FieldChecks;
import io.mailtree.shared.Secrets;
import io.mailtree.shared.Times;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * An account's webhook endpoints: create, change, enable or disable, delete, rotate the secret,
 * send a test event, and read the delivery log. Every method takes the caller's account and finds
 * only that account's endpoints (another account's id answers {@code webhook_not_found}, 404). A URL
 * is checked against {@link WebhookAddressPolicy} whenever it is saved.
 */
@Service
public class WebhookEndpoints {

    /** Endpoints an account may have: each one is a stream of outgoing requests. */
    public static final int MAX_PER_ACCOUNT = 20;
    /** The longest a rotated-out secret keeps signing beside the new one. */
    public static final Duration MAX_GRACE = Duration.ofHours(24);

    private final JdbcClient jdbc;
    private final WebhookAddressPolicy policy;
    private final WebhookQueue queue;
    private final Clock clock;

    WebhookEndpoints(JdbcClient jdbc, WebhookAddressPolicy policy, WebhookQueue queue, Clock clock) {
        this.jdbc = jdbc;
        this.policy = policy;
        this.queue = queue;
        this.clock = clock;
    }

    /** A new endpoint and its secret, shown now (and on request). */
    public record Created(WebhookEndpoint endpoint, String secret) {
    }

    /** One delivery of the log, newest first, with its attempts. */
    public record Delivery(long id, String webhookId, String firstType, int eventCount, String status, int attempts,
            Instant createdAt, Instant nextAttemptAt, Instant finishedAt, Integer lastStatusCode, String lastError,
            List<Attempt> attemptLog) {
    }

    /** One attempt: what the endpoint answered (or why nothing came back) and how long it took. */
    public record Attempt(Instant attemptedAt, Integer statusCode, int durationMs, String error, String responseBody) {
    }

    public List<WebhookEndpoint> list(AccountId account) {
        return jdbc.sql("select * from webhook_endpoint where account_id = ? order by created_at, id")
                .param(account.value()).query(WebhookEndpoints::endpoint).list();
    }

    public WebhookEndpoint find(AccountId account, String id) {
        return findRow(account, id).orElseThrow(WebhookEndpoints::notFound);
    }

    @Transactional
    public Created create(AccountId account, String url, List<String> eventTypes, String description) {
        // Every field checked before any is refused, so one answer names all that is wrong.
        FieldChecks checks = new FieldChecks();
        String checkedUrl = checks.check("url", () -> checkedUrl(url));
        List<String> types = checks.check("eventTypes", () -> checkedTypes(eventTypes));
        String text = checks.check("description", () -> checkedDescription(description));
        checks.throwIfAny();
        long existing = jdbc.sql("select count(*) from webhook_endpoint where account_id = ?").param(account.value())
                .query(Long.class).single();
        if (existing >= MAX_PER_ACCOUNT) {
            throw DomainProblem.conflict("too_many_webhooks", "an account has at most " + MAX_PER_ACCOUNT
                    + " webhook endpoints", MAX_PER_ACCOUNT);
        }
        UUID id = UUID.randomUUID();
        String secret = WebhookSignatures.newSecret();
        Instant now = clock.instant();
        // Deliveries start from the stream's position when the endpoint is made (the consumer skips what is
        // older), so a new endpoint is not handed the backlog of events that happened before it existed.
        jdbc.sql("""
                insert into webhook_endpoint (id, account_id, url, description, event_types, enabled, secret,
                    outcome_tx, outcome_id, created_at, updated_at)
                values (?, ?, ?, ?, ?, true, ?,
                    coalesce((select position_tx from event_consumer where name = ?), 0),
                    coalesce((select position_id from event_consumer where name = ?), 0), ?, ?)""")
                .params(id, account.value(), checkedUrl, text, String.join(",", types), secret, OutcomeWebhooks.NAME,
                        OutcomeWebhooks.NAME, Times.sql(now), Times.sql(now))
                .update();
        return new Created(find(account, id.toString()), secret);
    }

    /** Changes what is given (null leaves a field as it is); enabling clears a 410's disabled reason. */
    @Transactional
    public WebhookEndpoint update(AccountId account, String id, String url, List<String> eventTypes,
            String description, Boolean enabled) {
        WebhookEndpoint endpoint = find(account, id);
        FieldChecks checks = new FieldChecks();
        String newUrl = url == null ? endpoint.url() : checks.check("url", () -> checkedUrl(url));
        List<String> types = eventTypes == null ? endpoint.eventTypes()
                : checks.check("eventTypes", () -> checkedTypes(eventTypes));
        String text = description == null ? endpoint.description()
                : checks.check("description", () -> checkedDescription(description));
        checks.throwIfAny();
        boolean on = enabled == null ? endpoint.enabled() : enabled;
        String reason = on ? null : (enabled == null ? endpoint.disabledReason() : "BY_USER");
        jdbc.sql("""
                update webhook_endpoint set url = ?, event_types = ?, description = ?, enabled = ?, disabled_reason = ?,
                    updated_at = ? where account_id = ? and id = ?""")
                .params(newUrl, String.join(",", types), text, on, reason, Times.sql(clock.instant()), account.value(),
                        endpoint.id())
                .update();
        return find(account, id);
    }

    @Transactional
    public void delete(AccountId account, String id) {
        WebhookEndpoint endpoint = find(account, id);
        jdbc.sql("delete from webhook_endpoint where account_id = ? and id = ?").params(account.value(), endpoint.id())
                .update();
    }

    /** The endpoint's current secret. */
    public String secret(AccountId account, String id) {
        WebhookEndpoint endpoint = find(account, id);
        return jdbc.sql("select secret from webhook_endpoint where account_id = ? and id = ?")
                .params(account.value(), endpoint.id()).query(String.class).single();
    }

    /**
     * A new secret; the old one goes on signing beside it (both signatures in the header) for
     * {@code grace}, at most 24 hours, so receivers can switch without missing an event.
     */
    @Transactional
    public Created rotateSecret(AccountId account, String id, Duration grace) {
        WebhookEndpoint endpoint = find(account, id);
        if (grace == null || grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
            throw DomainProblem.invalid("webhook_grace_invalid", "the grace period is between 0 and 24 hours", 24);
        }
        String secret = WebhookSignatures.newSecret();
        Instant now = clock.instant();
        jdbc.sql("""
                update webhook_endpoint set previous_secret = secret, previous_secret_until = ?, secret = ?, updated_at = ?
                where account_id = ? and id = ?""")
                .params(grace.isZero() ? null : Times.sql(now.plus(grace)), secret, Times.sql(now), account.value(),
                        endpoint.id())
                .update();
        return new Created(find(account, id), secret);
    }

    /** Enqueues a {@code test} event for this endpoint alone, whatever it subscribed to; answers the delivery id. */
    @Transactional
    public long sendTest(AccountId account, String id) {
        WebhookEndpoint endpoint = find(account, id);
        String eventId = "evt_" + Secrets.randomToken(24);
        Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("accountId", account.value().toString());
        data.put("endpointId", endpoint.id().toString());
        data.put("message", "This is a test event from Mailtree.");
        return queue.enqueue(account, endpoint.id(), "event:" + eventId,
                List.of(new WebhookQueue.Event(eventId, WebhookEventTypes.TEST, clock.instant(), data)));
    }

    /** The latest {@code limit} deliveries of the endpoint, newest first, each with its attempts. */
    public List<Delivery> deliveries(AccountId account, String id, int limit) {
        WebhookEndpoint endpoint = find(account, id);
        int bounded = Math.max(1, Math.min(limit, 200));
        record Row(long id, String webhookId, String firstType, int eventCount, String status, int attempts,
                Instant createdAt, Instant nextAttemptAt, Instant finishedAt, Integer lastStatusCode, String lastError) {
        }
        List<Row> rows = jdbc.sql("""
                select id, webhook_id, first_type, event_count, status, attempts, created_at, next_attempt_at, finished_at,
                    last_status_code, last_error
                from webhook_delivery where account_id = ? and endpoint_id = ? order by id desc limit ?""")
                .params(account.value(), endpoint.id(), bounded)
                .query((rs, n) -> new Row(rs.getLong("id"), rs.getString("webhook_id"), rs.getString("first_type"),
                        rs.getInt("event_count"), rs.getString("status"), rs.getInt("attempts"),
                        Times.instant(rs, "created_at"), Times.instant(rs, "next_attempt_at"),
                        Times.instant(rs, "finished_at"), (Integer) rs.getObject("last_status_code", Integer.class),
                        rs.getString("last_error")))
                .list();
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<Long, List<Attempt>> attempts = new java.util.HashMap<>();
        List<Object> params = new ArrayList<>(List.of(account.value()));
        rows.forEach(r -> params.add(r.id()));
        jdbc.sql("select delivery_id, attempted_at, status_code, duration_ms, error, response_body from webhook_attempt"
                + " where account_id = ? and delivery_id in (" + io.mailtree.shared.SqlLists.placeholders(rows.size())
                + ") order by id").params(params)
                .query((rs, n) -> {
                    String body = rs.getString("response_body");
                    attempts.computeIfAbsent(rs.getLong("delivery_id"), d -> new ArrayList<>())
                            .add(new Attempt(Times.instant(rs, "attempted_at"), rs.getObject("status_code", Integer.class),
                                    rs.getInt("duration_ms"), rs.getString("error"), body));
                    return null;
                }).list();
        return rows.stream().map(r -> new Delivery(r.id(), r.webhookId(), r.firstType(), r.eventCount(), r.status(),
                r.attempts(), r.createdAt(), r.nextAttemptAt(), r.finishedAt(), r.lastStatusCode(), r.lastError(),
                attempts.getOrDefault(r.id(), List.of()))).toList();
    }

    private Optional<WebhookEndpoint> findRow(AccountId account, String id) {
        Optional<UUID> uuid = io.mailtree.shared.Ids.parseUuid(id);
        if (uuid.isEmpty()) {
            return Optional.empty();
        }
        return jdbc.sql("select * from webhook_endpoint where account_id = ? and id = ?")
                .params(account.value(), uuid.get()).query(WebhookEndpoints::endpoint).optional();
    }

    private String checkedUrl(String url) {
        policy.check(url);
        return url.strip();
    }

    private static List<String> checkedTypes(List<String> eventTypes) {
        if (eventTypes == null || eventTypes.isEmpty()) {
            throw DomainProblem.invalid("webhook_event_types_empty", "choose at least one event type");
        }
        LinkedHashSet<String> types = new LinkedHashSet<>();
        for (String type : eventTypes) {
            if (type == null || !WebhookEventTypes.SUBSCRIBABLE.contains(type)) {
                throw DomainProblem.invalid("webhook_event_type_unknown", "unknown event type: " + type,
                        String.valueOf(type)).with("known", WebhookEventTypes.SUBSCRIBABLE);
            }
            types.add(type);
        }
        // Kept in the catalogue's order, whatever order they came in.
        return WebhookEventTypes.SUBSCRIBABLE.stream().filter(types::contains).toList();
    }

    private static String checkedDescription(String description) {
        if (description == null || description.isBlank()) {
            return null;
        }
        if (description.strip().length() > 200) {
            throw DomainProblem.invalid("webhook_description_too_long", "a description has at most 200 characters", 200);
        }
        return description.strip();
    }

    static List<String> types(String column) {
        return column == null || column.isBlank() ? List.of() : Arrays.asList(column.split(","));
    }

    private static DomainProblem notFound() {
        return DomainProblem.notFound("webhook_not_found", "webhook endpoint");
    }

    static WebhookEndpoint endpoint(ResultSet rs, int row) throws SQLException {
        return new WebhookEndpoint(rs.getObject("id", UUID.class), new AccountId(rs.getObject("account_id", UUID.class)),
                rs.getString("url"), rs.getString("description"), types(rs.getString("event_types")),
                rs.getBoolean("enabled"), rs.getString("disabled_reason"), Times.instant(rs, "previous_secret_until"),
                Times.instant(rs, "created_at"), Times.instant(rs, "updated_at"));
    }
}
