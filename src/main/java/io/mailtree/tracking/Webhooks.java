package io.mailtree.tracking;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.Secrets;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The facade other modules use to raise an account-level webhook event, such as the reputation
 * feature's key alerts ({@link WebhookEventTypes#KEY_PAUSED}, {@link WebhookEventTypes#KEY_WARNED}):
 * one durable delivery per enabled endpoint of the account that subscribed to the type, written in
 * the caller's transaction, so the event goes out if and only if the caller's change commits. It
 * never calls an endpoint itself.
 */
@Service
public class Webhooks {

    private final JdbcClient jdbc;
    private final WebhookQueue queue;
    private final Clock clock;

    Webhooks(JdbcClient jdbc, WebhookQueue queue, Clock clock) {
        this.jdbc = jdbc;
        this.queue = queue;
        this.clock = clock;
    }

    /**
     * Enqueues an event of {@code type} with {@code data} (JSON-serialisable values) for every endpoint of
     * {@code account} subscribed to it; answers how many deliveries were written.
     */
    @Transactional
    public int publish(AccountId account, String type, Map<String, Object> data) {
        if (!WebhookEventTypes.SUBSCRIBABLE.contains(type)) {
            throw new IllegalArgumentException("not a webhook event type: " + type);
        }
        String eventId = "evt_" + Secrets.randomToken(24);
        int written = 0;
        for (Subscribed endpoint : jdbc.sql("select id, event_types from webhook_endpoint where account_id = ? and enabled"
                + " order by id").param(account.value())
                .query((rs, n) -> new Subscribed(rs.getObject(1, UUID.class), rs.getString(2))).list()) {
            if (WebhookEndpoints.types(endpoint.types()).contains(type)) {
                Long id = queue.enqueue(account, endpoint.id(), "event:" + eventId,
                        java.util.List.of(new WebhookQueue.Event(eventId, type, clock.instant(), data)));
                written += id == null ? 0 : 1;
            }
        }
        return written;
    }

    private record Subscribed(UUID id, String types) {
    }
}
