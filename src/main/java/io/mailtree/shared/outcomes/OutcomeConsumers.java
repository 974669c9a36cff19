package io.mailtree.shared.outcomes;

import io.mailtree.shared.BackgroundThreads;
import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.Times;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Runs every {@link OutcomeConsumer} of the application, each on its own thread, so a slow or
 * failing consumer never holds up delivery or another consumer. A consumer that fails is retried
 * from its position with exponential backoff (1 s doubling up to {@code mailtree.outcomes.max-backoff});
 * its lag keeps growing meanwhile and shows in the metrics ({@code mailtree.outcomes.lag.events},
 * {@code mailtree.outcomes.lag.seconds}, tagged by consumer) and on the operator console.
 * {@code mailtree.outcomes.consumers.enabled=false} runs none of them (their positions stay where
 * they are, and they catch up once started again): the send benchmark measures delivery with and
 * without them.
 */
@Component
public class OutcomeConsumers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutcomeConsumers.class);
    /** Counting what is behind walks the backlog, so a busy consumer measures it now and then, not every batch. */
    private static final Duration LAG_EVERY = Duration.ofSeconds(5);

    private final List<OutcomeConsumerRunner> runners = new ArrayList<>();
    private final JdbcClient jdbc;
    private final Duration poll;
    private final Duration maxBackoff;
    private final boolean enabled;
    private final BackgroundThreads threads = new BackgroundThreads();
    private volatile boolean running;

    OutcomeConsumers(List<OutcomeConsumer> consumers, OutcomeSource source, JdbcClient jdbc,
            PlatformTransactionManager transactionManager, DatabaseKind database, Clock clock,
            ObjectProvider<MeterRegistry> meters, @Value("${mailtree.outcomes.batch:1000}") int batch,
            @Value("${mailtree.outcomes.poll:200ms}") Duration poll,
            @Value("${mailtree.outcomes.max-backoff:5m}") Duration maxBackoff,
            @Value("${mailtree.outcomes.consumers.enabled:true}") boolean enabled) {
        this.jdbc = jdbc;
        this.enabled = enabled;
        this.poll = poll;
        this.maxBackoff = maxBackoff;
        Map<String, Long> names = consumers.stream().collect(Collectors.groupingBy(OutcomeConsumer::name,
                Collectors.counting()));
        names.forEach((name, count) -> {
            if (count > 1 || name.isBlank() || name.length() > 60) {
                throw new IllegalStateException("outcome consumer names must be unique, 1 to 60 characters: " + name);
            }
        });
        for (OutcomeConsumer consumer : consumers) {
            runners.add(new OutcomeConsumerRunner(consumer, source, jdbc, transactionManager, clock,
                    database.isPostgres(), batch));
        }
        meters.ifAvailable(registry -> runners.forEach(runner -> {
            Gauge.builder("mailtree.outcomes.lag.events", runner, r -> r.lag().events())
                    .description("outcome events this consumer has not applied yet").tag("consumer", runner.name())
                    .register(registry);
            Gauge.builder("mailtree.outcomes.lag.seconds", runner, OutcomeConsumerRunner::secondsBehind)
                    .description("age of the oldest outcome event this consumer has not applied yet")
                    .tag("consumer", runner.name()).register(registry);
        }));
    }

    /** How one consumer stands, for the operator console. */
    public record Status(String name, long position, long applied, long eventsBehind, double secondsBehind,
            int failures, String lastError, Instant retryAt) {

        /** Failing now, or more than a minute behind. */
        public boolean lagging() {
            return failures > 0 || secondsBehind > 60;
        }
    }

    /** Every consumer's position, lag and failures, measured now. */
    public List<Status> status() {
        record Row(String name, long position, long applied, int failures, String lastError, Instant retryAt) {
        }
        Map<String, Row> rows = jdbc.sql("""
                select name, position_id, applied, failures, last_error, retry_at from event_consumer order by name""")
                .query((rs, n) -> new Row(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getInt(4), rs.getString(5),
                        Times.instant(rs, "retry_at")))
                .list().stream().collect(Collectors.toMap(Row::name, Function.identity()));
        List<Status> statuses = new ArrayList<>();
        for (OutcomeConsumerRunner runner : runners) {
            OutcomeSource.Lag lag = runner.refreshLag();
            Row row = rows.get(runner.name());
            statuses.add(new Status(runner.name(), row == null ? 0 : row.position(), row == null ? 0 : row.applied(),
                    lag.events(), runner.secondsBehind(), row == null ? 0 : row.failures(),
                    row == null ? null : row.lastError(), row == null ? null : row.retryAt()));
        }
        statuses.sort(java.util.Comparator.comparing(Status::name));
        return statuses;
    }

    private void work(OutcomeConsumerRunner runner) {
        int failures = 0;
        long lagMeasured = 0;
        while (running) {
            try {
                int applied;
                try {
                    applied = runner.runOnce();
                    failures = 0;
                } catch (RuntimeException failure) {
                    failures++;
                    Duration backoff = backoff(failures);
                    log.warn("outcome consumer {} failed ({} in a row); retrying in {}", runner.name(), failures,
                            backoff, failure);
                    try {
                        runner.recordFailure(failure, backoff);
                    } catch (RuntimeException alsoFailed) {
                        log.warn("recording the failure of outcome consumer {} failed", runner.name(), alsoFailed);
                    }
                    measureLag(runner);
                    Thread.sleep(backoff.toMillis());
                    continue;
                }
                if (System.nanoTime() - lagMeasured > LAG_EVERY.toNanos()) {
                    measureLag(runner);
                    lagMeasured = System.nanoTime();
                }
                if (applied < runner.batch()) {
                    Thread.sleep(poll.toMillis());
                }
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void measureLag(OutcomeConsumerRunner runner) {
        try {
            runner.refreshLag();
        } catch (RuntimeException failure) {
            log.debug("measuring the lag of outcome consumer {} failed", runner.name(), failure);
        }
    }

    /** 1 s, 2 s, 4 s, … up to the maximum. */
    Duration backoff(int failures) {
        long seconds = 1L << Math.min(20, failures - 1);
        Duration backoff = Duration.ofSeconds(seconds);
        return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
    }

    @Override
    public void start() {
        running = true;
        if (!enabled) {
            log.warn("outcome consumers are off (mailtree.outcomes.consumers.enabled=false): {} lag until started",
                    runners.stream().map(OutcomeConsumerRunner::name).toList());
            return;
        }
        for (OutcomeConsumerRunner runner : runners) {
            // Lowest priority: on a busy machine a consumer falls a little behind instead of taking CPU
            // from delivery; it keeps up whenever a core is free (ADR 0010).
            threads.startYielding("outcomes-" + runner.name(), () -> work(runner));
        }
    }

    @Override
    public void stop() {
        running = false;
        threads.interruptAndJoin(Duration.ofSeconds(5));
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
