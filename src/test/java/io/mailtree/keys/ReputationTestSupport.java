package io.mailtree.keys;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.shared.outcomes.StreamPosition;
import io.mailtree.support.MailtreeTestBase;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What the reputation tests share: the real consumer applied to batches of outcomes in a
 * transaction (as its runner does), and the thresholds put back to D-19's defaults after each test.
 * Webhooks may reach the test's own endpoint on loopback, with the settings of the webhook delivery
 * tests (so the two share one application context).
 */
@org.springframework.test.context.TestPropertySource(properties = {
        "mailtree.webhooks.allow-private-networks=127.0.0.0/8", "mailtree.webhooks.read-timeout=2s",
        "mailtree.webhooks.connect-timeout=2s", "mailtree.webhooks.retry-base=1s", "mailtree.webhooks.poll=100ms"})
abstract class ReputationTestSupport extends MailtreeTestBase {

    /**
     * Positions past anything PostgreSQL assigns to real events (their tx is an xid), so the real
     * events a test's key had before are not mistaken for a replay of these.
     */
    private static final long TX = Long.MAX_VALUE / 2;
    private static final AtomicLong POSITION = new AtomicLong(1);

    @Autowired
    KeyReputationConsumer consumer;
    @Autowired
    ReputationThresholds thresholds;
    @Autowired
    PlatformTransactionManager transactionManager;

    @AfterEach
    void defaultThresholds() {
        thresholds.change(500, 168, Map.of(
                "hard_bounce.warn", new ReputationThresholds.Change(new BigDecimal("5"), "WARN"),
                "hard_bounce.pause", new ReputationThresholds.Change(new BigDecimal("8"), "PAUSE"),
                "complaint.warn", new ReputationThresholds.Change(new BigDecimal("0.08"), "WARN"),
                "complaint.pause", new ReputationThresholds.Change(new BigDecimal("0.3"), "PAUSE")), "test");
    }

    void minimumVolume(int volume) {
        thresholds.change(volume, 168, Map.of(), "test");
    }

    UUID primaryKey(String accountId) {
        return jdbc.sql("select id from api_key where account_id = ? and is_primary").param(UUID.fromString(accountId))
                .query(UUID.class).single();
    }

    /**
     * Applies the outcomes as one batch, the way the runner does: in one transaction, holding the
     * consumer's row, so the running consumer never applies a batch at the same time.
     */
    void apply(List<Outcome> outcomes) {
        new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
            jdbc.sql("select name from event_consumer where name = ? for update").param(KeyReputationConsumer.NAME)
                    .query(String.class).list();
            consumer.apply(outcomes);
        });
    }

    static Outcome event(String account, UUID key, String type, String recipient, String bounceClass, String detail,
            Instant at) {
        return new Outcome(new StreamPosition(TX, POSITION.getAndIncrement()), new AccountId(UUID.fromString(account)),
                key, 1, io.mailtree.shared.outcomes.OutcomeType.valueOf(type), recipient, bounceClass, detail, at);
    }

    /** {@code accepted} recipients accepted in one message, {@code delivered} of them delivered. */
    List<Outcome> sentAndDelivered(String account, UUID key, int accepted, int delivered, Instant at) {
        List<Outcome> events = new ArrayList<>();
        // The count comes from the stream's own field; the detail says something else, so a consumer that
        // still read the number out of the detail would count wrong.
        Outcome acceptance = event(account, key, "ACCEPTED", null, null, "1 recipients", at);
        events.add(new Outcome(acceptance.position(), acceptance.account(), key, acceptance.messageId(), acceptance.type(),
                null, null, acceptance.detail(), at, accepted));
        for (int i = 0; i < delivered; i++) {
            events.add(event(account, key, "DELIVERED", "r" + i + "@example.test", null, null, at));
        }
        return events;
    }

    static Outcome complaint(String account, UUID key, Instant at) {
        return event(account, key, "COMPLAINED", "c" + POSITION.get() + "@example.test", null, "feedback type abuse", at);
    }

    long alerts(UUID key, String threshold) {
        return jdbc.sql("select count(*) from key_alert where api_key_id = ? and threshold_code = ?")
                .params(key, threshold).query(Long.class).single();
    }

    boolean paused(UUID key) {
        return jdbc.sql("select count(*) from key_reputation where api_key_id = ? and paused_at is not null")
                .param(key).query(Long.class).single() > 0;
    }
}
