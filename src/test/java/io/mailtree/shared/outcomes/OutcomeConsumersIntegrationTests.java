package io.mailtree.shared.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.Times;
import io.mailtree.support.Eventually;
import io.mailtree.support.MailtreeTestBase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The guarantees of the outcome stream and its consumer runner, on PostgreSQL with the real event
 * table and the reader delivery provides: nothing skipped when transactions commit out of id order,
 * nothing lost or doubled when a consumer dies mid-batch or two nodes run it, and a failing consumer
 * retried with backoff and shown as lagging while the others go on (ADR 0010). The consumers here are
 * test consumers whose effect is deliberately not idempotent (one row per event applied), so any
 * double application would show.
 */
class OutcomeConsumersIntegrationTests extends MailtreeTestBase {

    @Autowired
    OutcomeSource source;
    @Autowired
    DataSource dataSource;
    @Autowired
    PlatformTransactionManager transactionManager;
    @Autowired
    DatabaseKind database;

    /** Events of this test only: each test appends for its own account, consumers count only those. */
    private final AccountId account = new AccountId(UUID.randomUUID());

    @BeforeEach
    void effectTable() {
        jdbc.sql("create table if not exists test_outcome_effect (consumer varchar(60) not null, event_id bigint not null)")
                .update();
    }

    /** Writes one effect row per event of this test's account: counting rows shows any double effect. */
    private class Recording implements OutcomeConsumer {
        final String name;
        final List<Long> seen = Collections.synchronizedList(new ArrayList<>());

        Recording(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void apply(List<Outcome> outcomes) {
            for (Outcome outcome : outcomes) {
                if (outcome.account().equals(account)) {
                    jdbc.sql("insert into test_outcome_effect (consumer, event_id) values (?, ?)")
                            .params(name, outcome.position().id()).update();
                    seen.add(outcome.position().id());
                }
            }
        }
    }

    private OutcomeConsumerRunner runner(OutcomeConsumer consumer, int batch) {
        return new OutcomeConsumerRunner(consumer, source, jdbc, transactionManager, Clock.systemUTC(),
                database.isPostgres(), batch);
    }

    /** Brings a new consumer to the end of what other tests left in the stream. */
    private static void drain(OutcomeConsumerRunner runner) {
        while (runner.runOnce() > 0) {
            // next batch
        }
    }

    private List<Long> append(int count) {
        List<Long> ids = new ArrayList<>();
        new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
            for (int i = 0; i < count; i++) {
                ids.add(insertEvent(i));
            }
        });
        return ids;
    }

    private long insertEvent(int i) {
        return jdbc.sql("""
                insert into message_event (account_id, message_id, event_type, recipient, occurred_at)
                values (?, ?, 'DELIVERED', ?, ?) returning id""")
                .params(account.value(), 1_000_000L + i, "r" + i + "@outcomes.example.test", Times.sql(clock().instant()))
                .query(Long.class).single();
    }

    private Map<Long, Long> effects(String consumer) {
        return jdbc.sql("select event_id, count(*) from test_outcome_effect where consumer = ? group by event_id")
                .param(consumer).query((rs, n) -> Map.entry(rs.getLong(1), rs.getLong(2))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static String name(String what) {
        return "test." + what + "." + UUID.randomUUID().toString().substring(0, 8);
    }

    private long insertOnOwnConnection(Connection connection, int i) throws Exception {
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into message_event (account_id, message_id, event_type, recipient, occurred_at)
                values (?, ?, 'DELIVERED', ?, current_timestamp) returning id""")) {
            insert.setObject(1, account.value());
            insert.setLong(2, 2_000_000L + i);
            insert.setString(3, "late" + i + "@outcomes.example.test");
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    @DisplayName("Out-of-order commits: A takes id 1, B takes id 2 and commits; the consumer waits for A, then sees both")
    void outOfOrderCommitIsNeverSkipped() throws Exception {
        Recording consumer = new Recording(name("order"));
        OutcomeConsumerRunner runner = runner(consumer, 100);
        drain(runner);
        try (Connection a = dataSource.getConnection(); Connection b = dataSource.getConnection()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            long first = insertOnOwnConnection(a, 1);
            long second = insertOnOwnConnection(b, 2);
            assertThat(first).as("A's id comes first").isLessThan(second);
            b.commit();
            assertThat(jdbc.sql("select count(*) from message_event where id = ?").param(second).query(Long.class)
                    .single()).as("B's event is committed and visible").isEqualTo(1);

            runner.runOnce();
            assertThat(consumer.seen).as("nothing read past A's open transaction").doesNotContain(first, second);
            long positionId = jdbc.sql("select position_id from event_consumer where name = ?").param(consumer.name())
                    .query(Long.class).single();
            assertThat(positionId).as("the position stays before A's event").isLessThan(first);

            a.commit();
            Eventually.within(Duration.ofSeconds(30), () -> {
                runner.runOnce();
                assertThat(consumer.seen).containsExactly(first, second);
            });
        }
        assertThat(effects(consumer.name())).containsOnlyKeys(consumer.seen).allSatisfy((id, count) ->
                assertThat(count).isEqualTo(1));
    }

    @Test
    @DisplayName("A consumer killed mid-batch resumes from its last committed position: no event lost, none applied twice")
    void killedMidBatchResumesWithoutLossOrDoubleEffect() {
        AtomicBoolean crash = new AtomicBoolean(true);
        Recording recording = new Recording(name("crash"));
        OutcomeConsumer crashing = new OutcomeConsumer() {
            @Override
            public String name() {
                return recording.name();
            }

            @Override
            public void apply(List<Outcome> outcomes) {
                List<Outcome> ours = outcomes.stream().filter(o -> o.account().equals(account)).toList();
                if (crash.get() && ours.size() > 5) {
                    // The effect of the first three is written in this transaction, then the node dies.
                    recording.apply(ours.subList(0, 3));
                    crash.set(false);
                    throw new IllegalStateException("killed in the middle of the batch");
                }
                recording.apply(outcomes);
            }
        };
        OutcomeConsumerRunner runner = runner(crashing, 500);
        drain(runner);
        List<Long> ids = append(40);
        try {
            runner.runOnce();
            throw new AssertionError("the consumer should have died");
        } catch (IllegalStateException killed) {
            assertThat(killed).hasMessageContaining("killed");
        }
        assertThat(effects(recording.name())).as("the dead batch left no effect").isEmpty();
        drain(runner);
        assertThat(effects(recording.name())).containsOnlyKeys(ids).allSatisfy((id, count) ->
                assertThat(count).as("effects of event %d", id).isEqualTo(1));
    }

    @Test
    @DisplayName("Two nodes run the same consumer over 2,000 events at once: each event's effect happens once")
    void twoNodesApplyEachEffectOnce() throws Exception {
        String name = name("nodes");
        Recording first = new Recording(name);
        Recording second = new Recording(name);
        OutcomeConsumerRunner nodeA = runner(first, 50);
        OutcomeConsumerRunner nodeB = runner(second, 50);
        drain(nodeA);
        List<Long> ids = append(2000);
        AtomicInteger failures = new AtomicInteger();
        List<Thread> nodes = new ArrayList<>();
        for (OutcomeConsumerRunner node : List.of(nodeA, nodeB)) {
            Thread thread = new Thread(() -> {
                long deadline = System.currentTimeMillis() + 60_000;
                int idle = 0;
                while (idle < 20 && System.currentTimeMillis() < deadline) {
                    try {
                        idle = node.runOnce() == 0 ? idle + 1 : 0;
                        // Like nodes polling on their own schedules: the other node gets its turn at the row.
                        Thread.sleep(1);
                    } catch (RuntimeException failure) {
                        failures.incrementAndGet();
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
            });
            thread.start();
            nodes.add(thread);
        }
        for (Thread thread : nodes) {
            thread.join(70_000);
        }
        assertThat(failures).hasValue(0);
        Map<Long, Long> effects = effects(name);
        assertThat(effects).as("every event applied").containsOnlyKeys(ids);
        assertThat(effects.values()).as("no event applied twice").containsOnly(1L);
        System.out.printf("[outcomes] two nodes: node A applied %d, node B %d of %d events%n", first.seen.size(),
                second.seen.size(), ids.size());
    }

    @Test
    @DisplayName("A failing consumer retries with backoff and shows its lag; the healthy one beside it is not held up")
    void failingConsumerRetriesWithBackoffAndLagsAlone() {
        AtomicBoolean broken = new AtomicBoolean(true);
        AtomicInteger attempts = new AtomicInteger();
        Recording healthy = new Recording(name("healthy"));
        Recording eventuallyHealthy = new Recording(name("failing"));
        OutcomeConsumer failing = new OutcomeConsumer() {
            @Override
            public String name() {
                return eventuallyHealthy.name();
            }

            @Override
            public void apply(List<Outcome> outcomes) {
                if (outcomes.stream().anyMatch(o -> o.account().equals(account))) {
                    attempts.incrementAndGet();
                    if (broken.get()) {
                        throw new IllegalStateException("the downstream is down");
                    }
                }
                eventuallyHealthy.apply(outcomes);
            }
        };
        drain(runner(healthy, 1000));
        drain(runner(failing, 1000));
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        beans.registerSingleton("meters", registry);
        OutcomeConsumers consumers = new OutcomeConsumers(List.of(healthy, failing), source, jdbc, transactionManager,
                database, Clock.systemUTC(), beans.getBeanProvider(MeterRegistry.class), 100, Duration.ofMillis(50),
                Duration.ofSeconds(2), true);
        consumers.start();
        try {
            List<Long> ids = append(10);
            Eventually.within(Duration.ofSeconds(20), () -> assertThat(healthy.seen).containsExactlyElementsOf(ids));
            Eventually.within(Duration.ofSeconds(20), () -> {
                OutcomeConsumers.Status status = consumers.status().stream()
                        .filter(s -> s.name().equals(failing.name())).findFirst().orElseThrow();
                assertThat(status.failures()).isGreaterThanOrEqualTo(2);
                assertThat(status.lastError()).contains("the downstream is down");
                assertThat(status.retryAt()).isNotNull();
                assertThat(status.eventsBehind()).isGreaterThanOrEqualTo(10);
                assertThat(status.lagging()).isTrue();
                assertThat(registry.get("mailtree.outcomes.lag.events").tag("consumer", failing.name()).gauge()
                        .value()).isGreaterThanOrEqualTo(10);
            });
            int tried = attempts.get();
            assertThat(tried).as("backoff: a few attempts, not a busy loop").isBetween(2, 10);
            assertThat(eventuallyHealthy.seen).isEmpty();

            broken.set(false);
            Eventually.within(Duration.ofSeconds(20), () -> {
                assertThat(eventuallyHealthy.seen).containsExactlyElementsOf(ids);
                OutcomeConsumers.Status status = consumers.status().stream()
                        .filter(s -> s.name().equals(failing.name())).findFirst().orElseThrow();
                assertThat(status.failures()).isZero();
                assertThat(status.eventsBehind()).isZero();
            });
        } finally {
            consumers.stop();
        }
        assertThat(effects(failing.name()).values()).containsOnly(1L);
    }
}
