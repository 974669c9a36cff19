package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.shared.outcomes.OutcomeConsumer;
import io.mailtree.shared.outcomes.OutcomeConsumerRunner;
import io.mailtree.shared.outcomes.OutcomeSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The out-of-order commit case on the embedded H2 default, where the stream's horizon is the append
 * lock instead of PostgreSQL's snapshot (ADR 0010): while transaction A has appended an event and not
 * committed, transaction B's append waits, so no later id can become visible before A's.
 */
@SpringBootTest(properties = {"mailtree.data-dir=target/h2-outcomes-it-${random.uuid}",
    "mailtree.submission-port=0", "mailtree.inbound-port=0"})
class H2OutcomeStreamIntegrationTests {

    @Autowired
    MessageEvents events;
    @Autowired
    OutcomeSource source;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    PlatformTransactionManager transactionManager;
    @Autowired
    DatabaseKind database;

    private final AccountId account = new AccountId(UUID.randomUUID());

    private MessageEvents.Event event(long message) {
        return new MessageEvents.Event(account, message, null, io.mailtree.shared.outcomes.OutcomeType.DELIVERED, "h2@outcomes.example.test", null);
    }

    private long lastId(long message) {
        return jdbc.sql("select max(id) from message_event where message_id = ?").param(message).query(Long.class)
                .single();
    }

    @Test
    @DisplayName("On H2: B's append waits for A's commit; the consumer sees neither, then A's event before B's")
    void outOfOrderCommitOnH2() throws Exception {
        assertThat(database.isPostgres()).isFalse();
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        OutcomeConsumer consumer = new OutcomeConsumer() {
            @Override
            public String name() {
                return "test.h2-order";
            }

            @Override
            public void apply(List<Outcome> outcomes) {
                outcomes.stream().filter(o -> o.account().equals(account)).forEach(o -> seen.add(o.position().id()));
            }
        };
        OutcomeConsumerRunner runner = new OutcomeConsumerRunner(consumer, source, jdbc, transactionManager,
                Clock.systemUTC(), false, 100);
        while (runner.runOnce() > 0) {
            // to the end of what start-up wrote
        }
        TransactionTemplate transactions = new TransactionTemplate(transactionManager);
        CountDownLatch aAppended = new CountDownLatch(1);
        CountDownLatch aMayCommit = new CountDownLatch(1);
        CountDownLatch bCommitted = new CountDownLatch(1);
        AtomicLong bStarted = new AtomicLong();
        Thread a = new Thread(() -> transactions.executeWithoutResult(status -> {
            events.recordAll(List.of(event(1)));
            aAppended.countDown();
            try {
                aMayCommit.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }));
        a.start();
        assertThat(aAppended.await(10, TimeUnit.SECONDS)).isTrue();
        Thread b = new Thread(() -> {
            bStarted.set(System.nanoTime());
            transactions.executeWithoutResult(status -> events.recordAll(List.of(event(2))));
            bCommitted.countDown();
        });
        b.start();
        assertThat(bCommitted.await(500, TimeUnit.MILLISECONDS)).as("B's append waits while A is open").isFalse();

        runner.runOnce();
        assertThat(seen).as("nothing visible, nothing passed").isEmpty();

        aMayCommit.countDown();
        a.join(10_000);
        assertThat(bCommitted.await(10, TimeUnit.SECONDS)).as("B goes on once A committed").isTrue();
        runner.runOnce();
        assertThat(seen).containsExactly(lastId(1), lastId(2));
        assertThat(lastId(1)).isLessThan(lastId(2));
    }
}
