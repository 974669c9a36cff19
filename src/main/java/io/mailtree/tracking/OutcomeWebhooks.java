package io.mailtree.tracking;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.shared.outcomes.OutcomeConsumer;
import io.mailtree.shared.outcomes.StreamPosition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Webhooks' reaction to delivery outcomes (ADR 0015): in the consumer's batch transaction, for every
 * enabled endpoint of the accounts in the batch, the events it subscribed to are written as durable
 * deliveries of at most {@link #EVENTS_PER_DELIVERY} events each (a JSON array). Nothing is sent
 * here: {@link WebhookSender} posts them later, outside any transaction, so a slow endpoint never
 * holds the stream. Idempotent: each endpoint keeps the stream position it was enqueued up to and
 * skips events at or before it, and a delivery is unique per endpoint and first event, so a replay
 * writes nothing twice. A batch costs one query for the endpoints of its accounts, one insert per
 * delivery and one update per endpoint that received something.
 */
@Component
class OutcomeWebhooks implements OutcomeConsumer {

    static final String NAME = "tracking.webhooks";
    /** Events per POST: large enough to carry thousands of events a second in tens of requests, small enough to stay well under typical request-size limits (about 500 bytes an event). */
    static final int EVENTS_PER_DELIVERY = 100;

    private final JdbcClient jdbc;
    private final WebhookQueue queue;

    OutcomeWebhooks(JdbcClient jdbc, WebhookQueue queue) {
        this.jdbc = jdbc;
        this.queue = queue;
    }

    @Override
    public String name() {
        return NAME;
    }

    private record Subscriber(UUID id, AccountId account, List<String> types, StreamPosition enqueuedUpTo) {
    }

    @Override
    public void apply(List<Outcome> outcomes) {
        Map<AccountId, List<Outcome>> byAccount = new LinkedHashMap<>();
        for (Outcome outcome : outcomes) {
            if (WebhookEventTypes.forOutcome(outcome.type()) != null) {
                byAccount.computeIfAbsent(outcome.account(), a -> new ArrayList<>()).add(outcome);
            }
        }
        if (byAccount.isEmpty()) {
            return;
        }
        StreamPosition last = outcomes.get(outcomes.size() - 1).position();
        for (Subscriber endpoint : subscribers(new ArrayList<>(byAccount.keySet()))) {
            List<WebhookQueue.Event> events = new ArrayList<>();
            StreamPosition first = null;
            for (Outcome outcome : byAccount.get(endpoint.account())) {
                String type = WebhookEventTypes.forOutcome(outcome.type());
                if (!endpoint.types().contains(type) || !after(outcome.position(), endpoint.enqueuedUpTo())) {
                    continue;
                }
                if (first == null) {
                    first = outcome.position();
                }
                events.add(event(outcome, type));
                if (events.size() == EVENTS_PER_DELIVERY) {
                    queue.enqueue(endpoint.account(), endpoint.id(), key(first), events);
                    events = new ArrayList<>();
                    first = null;
                }
            }
            if (!events.isEmpty()) {
                queue.enqueue(endpoint.account(), endpoint.id(), key(first), events);
            }
            jdbc.sql("update webhook_endpoint set outcome_tx = ?, outcome_id = ? where id = ?")
                    .params(last.tx(), last.id(), endpoint.id()).update();
        }
    }

    private List<Subscriber> subscribers(List<AccountId> accounts) {
        List<Subscriber> subscribers = new ArrayList<>();
        for (int from = 0; from < accounts.size(); from += 500) {
            List<AccountId> chunk = accounts.subList(from, Math.min(accounts.size(), from + 500));
            subscribers.addAll(jdbc.sql("select id, account_id, event_types, outcome_tx, outcome_id from webhook_endpoint"
                    + " where enabled and account_id in (" + SqlLists.placeholders(chunk.size()) + ") order by id")
                    .params(chunk.stream().map(a -> (Object) a.value()).toList())
                    .query((rs, n) -> new Subscriber(rs.getObject(1, UUID.class),
                            new AccountId(rs.getObject(2, UUID.class)), WebhookEndpoints.types(rs.getString(3)),
                            new StreamPosition(rs.getLong(4), rs.getLong(5))))
                    .list());
        }
        return subscribers;
    }

    private static boolean after(StreamPosition position, StreamPosition mark) {
        return position.tx() > mark.tx() || (position.tx() == mark.tx() && position.id() > mark.id());
    }

    private static String key(StreamPosition first) {
        return "outcomes:" + first.tx() + ":" + first.id();
    }

    private static WebhookQueue.Event event(Outcome outcome, String type) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("accountId", outcome.account().value().toString());
        data.put("messageId", outcome.messageId());
        data.put("recipient", outcome.recipient());
        data.put("apiKeyId", outcome.apiKeyId() == null ? null : outcome.apiKeyId().toString());
        if (outcome.bounceClass() != null) {
            data.put("bounceClass", outcome.bounceClass());
        }
        if (outcome.bulkId() != null) {
            data.put("bulkId", outcome.bulkId().toString()); // the campaign's, as its campaign.* events carry
        }
        if (outcome.linkIndex() != null) {
            data.put("linkIndex", outcome.linkIndex());
        }
        if (outcome.type() == io.mailtree.shared.outcomes.OutcomeType.OPENED) {
            data.put("machine", Boolean.TRUE.equals(outcome.machine()));
        }
        data.put("detail", outcome.detail());
        data.put("occurredAt", outcome.occurredAt().toString());
        return new WebhookQueue.Event("evt_" + outcome.position().tx() + "_" + outcome.position().id(), type,
                outcome.occurredAt(), data);
    }
}
