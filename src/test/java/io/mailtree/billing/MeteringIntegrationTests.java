package io.mailtree.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.shared.outcomes.OutcomeType;
import io.mailtree.shared.outcomes.StreamPosition;
import io.mailtree.support.Eventually;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * D-31's meter, a consumer of the outcome stream: a message counts once, the first time the relay
 * takes it, whatever the stream repeats (a second recipient, a duplicated event, a replayed batch),
 * attributed to the account and key that sent it.
 */
class MeteringIntegrationTests extends BillingTestSupport {

    @Autowired
    Metering metering;
    @Autowired
    PlatformTransactionManager transactionManager;

    @Test
    @DisplayName("D-31: metering counts each message once under duplicated events and a replayed batch, per account and key")
    void d31MeteringIsExactUnderDuplicatesAndReplays() {
        Master master = master("volume-15k");
        String subId = subaccount(master, null);
        UUID masterKey = primaryKey(master.id());
        UUID subKey = primaryKey(subId);
        Instant at = clock().instant();
        List<Long> masterMessages = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long id = nextMessageId();
            masterMessages.add(id);
            append(master.id(), masterKey, id, "ACCEPTED", null, at);
            append(master.id(), masterKey, id, "DELIVERED", "a" + i + "@example.test", at);
            append(master.id(), masterKey, id, "DELIVERED", "b" + i + "@example.test", at); // a second recipient
        }
        long subMessage = nextMessageId();
        append(subId, subKey, subMessage, "DEFERRED", "c@example.test", at);
        append(subId, subKey, subMessage, "DELIVERED", "c@example.test", at);
        append(subId, subKey, subMessage, "DELIVERED", "c@example.test", at); // the same event twice
        long bounced = nextMessageId();
        append(subId, subKey, bounced, "BOUNCED", "gone@example.test", at); // the relay never took it
        Eventually.afterConsumers(() -> {
            assertThat(meteredFor(master.id(), master.id())).isEqualTo(4);
            assertThat(meteredFor(master.id(), subId)).isEqualTo(1);
        });
        assertThat(jdbc.sql("select sent from billing_usage where account_id = ? and sender_id = ? and api_key_id = ?")
                .params(UUID.fromString(master.id()), UUID.fromString(subId), subKey).query(Long.class).single())
                .as("attributed to the key that sent it").isEqualTo(1);

        // The same events applied again, as after a crash between the effect and a retry: nothing moves.
        List<Outcome> replay = new ArrayList<>();
        long position = Long.MAX_VALUE / 3;
        for (long id : masterMessages) {
            replay.add(new Outcome(new StreamPosition(position, position++), new AccountId(UUID.fromString(master.id())),
                    masterKey, id, OutcomeType.DELIVERED, "a@example.test", null, null, at));
        }
        replay.add(new Outcome(new StreamPosition(position, position++), new AccountId(UUID.fromString(subId)), subKey,
                subMessage, OutcomeType.DELIVERED, "c@example.test", null, null, at));
        new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
            jdbc.sql("select name from event_consumer where name = ? for update").param(Metering.NAME)
                    .query(String.class).list();
            metering.apply(replay);
        });
        assertThat(meteredFor(master.id(), master.id())).isEqualTo(4);
        assertThat(meteredFor(master.id(), subId)).isEqualTo(1);
        assertThat(metered(master.id())).isEqualTo(5);
    }

    @Test
    @DisplayName("D-31: real sends through the relay are metered exactly once each against the master")
    void d31RealSendsMeteredOnce() {
        Master master = master("volume-15k");
        String from = confirmedSender(master.api());
        String a = uniqueEmail("meter-a");
        String b = uniqueEmail("meter-b");
        assertThat(master.api().post("/api/v1/send", "{\"messages\":[{\"from\":{\"email\":\"" + from
                + "\"},\"to\":[{\"email\":\"" + a + "\"},{\"email\":\"" + b + "\"}],\"subject\":\"Two readers\","
                + "\"text\":\"Hi\"}]}").status()).isEqualTo(200);
        awaitMailTo(a, 1);
        Eventually.afterConsumers(() -> assertThat(metered(master.id())).as("one message, two recipients").isEqualTo(1));
        assertThat(usage(master.api()).get("accounts").get(0).get("sent").asLong()).isEqualTo(1);
    }
}
