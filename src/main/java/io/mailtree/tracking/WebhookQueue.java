package io.mailtree.tracking;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.Secrets;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes durable webhook deliveries, in the caller's transaction: one row per endpoint and batch of
 * events, its payload a JSON array of Standard Webhooks event objects ({@code id}, {@code type},
 * {@code timestamp}, {@code data}), signed only when sent. A row is unique per endpoint and
 * {@code source_key}, so writing the same batch twice writes it once.
 */
@Component
class WebhookQueue {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final Clock clock;

    private final WebhookSender sender;

    WebhookQueue(JdbcClient jdbc, Clock clock, WebhookSender sender) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.sender = sender;
    }

    /** One event of a payload. */
    record Event(String id, String type, Instant timestamp, Map<String, Object> data) {
    }

    /** Enqueues one delivery of {@code events} to {@code endpoint}, unless one with this source key exists; answers its id or null. */
    Long enqueue(AccountId account, UUID endpoint, String sourceKey, List<Event> events) {
        if (events.isEmpty()) {
            return null;
        }
        String payload = JSON.writeValueAsString(events.stream().map(e -> {
            Map<String, Object> json = new java.util.LinkedHashMap<>();
            json.put("id", e.id());
            json.put("type", e.type());
            json.put("timestamp", e.timestamp().toString());
            json.put("data", e.data());
            return json;
        }).toList());
        Instant now = clock.instant();
        int inserted = jdbc.sql("""
                insert into webhook_delivery (account_id, endpoint_id, webhook_id, source_key, event_count, first_type,
                    payload, status, next_attempt_at, created_at)
                select ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?
                where not exists (select 1 from webhook_delivery where endpoint_id = ? and source_key = ?)""")
                .params(account.value(), endpoint, "msg_" + Secrets.randomToken(24), sourceKey, events.size(),
                        events.get(0).type(), payload, Times.sql(now), Times.sql(now), endpoint, sourceKey)
                .update();
        if (inserted == 0) {
            return null;
        }
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            // Idle workers look again once the delivery is committed instead of at their next poll.
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    sender.nudge();
                }
            });
        }
        return jdbc.sql("select id from webhook_delivery where endpoint_id = ? and source_key = ?")
                .params(endpoint, sourceKey).query(Long.class).single();
    }
}
