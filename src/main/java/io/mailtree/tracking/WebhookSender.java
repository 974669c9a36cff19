package io.mailtree.tracking;

import io.mailtree.shared.BackgroundThreads;
import io.mailtree.shared.DatabaseKind;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PeriodicTask;
import io.mailtree.shared.Secrets;
import io.mailtree.shared.Times;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends webhook deliveries (ADR 0015). Each worker claims one due delivery in a short transaction
 * (a lease, {@code FOR UPDATE SKIP LOCKED} on PostgreSQL, so workers and nodes never take the same
 * row), commits, and only then POSTs, holding no connection or transaction while it waits on the
 * endpoint; the answer is recorded in a second short transaction, under the lease. A 2xx delivers;
 * 410 Gone disables the endpoint; anything else (another status, a 3xx since redirects are never
 * followed, a timeout, a refused address) is retried with exponential backoff and jitter until the
 * delivery is 24 hours old, then given up. The URL is checked again before every attempt and the
 * connection goes to the address that check resolved.
 */
@Component
class WebhookSender implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
    /** Of an endpoint's answer, this much is read and kept in the log. */
    static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final WebhookAddressPolicy policy;
    private final Clock clock;
    private final boolean postgres;
    private final int workers;
    private final Duration retryBase;
    private final Duration retryMax;
    private final Duration giveUpAfter;
    private final Duration poll;
    private final Duration lease;
    private final Duration retention;
    private final PinnedHttp http;
    private final BackgroundThreads threads = new BackgroundThreads();
    private final PeriodicTask housekeeping = new PeriodicTask("webhooks-housekeeping", log);
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;

    WebhookSender(JdbcClient jdbc, PlatformTransactionManager transactionManager, WebhookAddressPolicy policy,
            Clock clock, DatabaseKind database, @Value("${mailtree.webhooks.workers:4}") int workers,
            @Value("${mailtree.webhooks.connect-timeout:5s}") Duration connectTimeout,
            @Value("${mailtree.webhooks.read-timeout:10s}") Duration readTimeout,
            @Value("${mailtree.webhooks.retry-base:5s}") Duration retryBase,
            @Value("${mailtree.webhooks.retry-max:1h}") Duration retryMax,
            @Value("${mailtree.webhooks.give-up-after:24h}") Duration giveUpAfter,
            @Value("${mailtree.webhooks.poll:500ms}") Duration poll,
            @Value("${mailtree.webhooks.retention:30d}") Duration retention) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.policy = policy;
        this.clock = clock;
        this.postgres = database.isPostgres();
        this.workers = workers;
        this.retryBase = retryBase;
        this.retryMax = retryMax;
        this.giveUpAfter = giveUpAfter;
        this.poll = poll;
        this.lease = connectTimeout.plus(readTimeout).plusSeconds(30);
        this.retention = retention;
        this.http = new PinnedHttp(connectTimeout, readTimeout, MAX_RESPONSE_BYTES);
        if (!http.hostHeaderAllowed()) {
            log.error("webhooks cannot be sent: this JVM does not allow the Host header on its HTTP client;"
                    + " start it with -Djdk.httpclient.allowRestrictedHeaders=host");
        }
    }

    /** A claimed delivery with what is needed to send it. */
    record Claimed(long id, UUID endpoint, String url, String webhookId, String payload, String secret,
            String previousSecret, Instant previousSecretUntil, Instant createdAt, int attempts, String leaseToken) {
    }

    /** Claims the next due delivery of an enabled endpoint, if any. */
    Optional<Claimed> claim() {
        return transactions.execute(status -> {
            Instant now = clock.instant();
            Optional<Long> id = jdbc.sql("""
                    select d.id from webhook_delivery d
                    where d.status = 'PENDING' and d.next_attempt_at <= ? and (d.lease_until is null or d.lease_until < ?)
                      and exists (select 1 from webhook_endpoint e where e.id = d.endpoint_id and e.enabled)
                    order by d.next_attempt_at, d.id limit 1 for update""" + (postgres ? " skip locked" : ""))
                    .params(Times.sql(now), Times.sql(now)).query(Long.class).optional();
            if (id.isEmpty()) {
                return Optional.<Claimed>empty();
            }
            String token = Secrets.randomToken(20);
            jdbc.sql("update webhook_delivery set lease_until = ?, lease_token = ?, attempts = attempts + 1 where id = ?")
                    .params(Times.sql(now.plus(lease).truncatedTo(ChronoUnit.MILLIS)), token, id.get()).update();
            return jdbc.sql("""
                    select d.id, d.endpoint_id, e.url, d.webhook_id, d.payload, e.secret, e.previous_secret,
                        e.previous_secret_until, d.created_at, d.attempts, d.lease_token
                    from webhook_delivery d join webhook_endpoint e on e.id = d.endpoint_id where d.id = ?""")
                    .param(id.get())
                    .query((rs, n) -> new Claimed(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                            Times.instant(rs, "previous_secret_until"), Times.instant(rs, "created_at"), rs.getInt(10),
                            rs.getString(11)))
                    .optional();
        });
    }

    /** Sends one claimed delivery (no transaction open) and records the attempt; answers the status code or null. */
    Integer send(Claimed delivery) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Integer status = null;
        String error = null;
        String body = null;
        try {
            WebhookAddressPolicy.Target target = policy.check(delivery.url());
            byte[] payload = delivery.payload().getBytes(StandardCharsets.UTF_8);
            long timestamp = clock.instant().getEpochSecond();
            String signature = WebhookSignatures.sign(delivery.secret(), delivery.webhookId(), timestamp, payload);
            if (delivery.previousSecret() != null && delivery.previousSecretUntil() != null
                    && delivery.previousSecretUntil().isAfter(started)) {
                signature += " " + WebhookSignatures.sign(delivery.previousSecret(), delivery.webhookId(), timestamp, payload);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            headers.put("User-Agent", "Mailtree-Webhooks/1");
            headers.put("webhook-id", delivery.webhookId());
            headers.put("webhook-timestamp", Long.toString(timestamp));
            headers.put("webhook-signature", signature);
            PinnedHttp.Answer answer = http.post(target, headers, payload);
            status = answer.status();
            // PostgreSQL's text cannot hold NUL: an endpoint answering binary is logged without it.
            body = answer.body().replace('\u0000', '\ufffd');
            if (answer.truncated()) {
                error = "response longer than " + MAX_RESPONSE_BYTES / 1024 + " KB: the rest was not read";
            }
            if (status >= 300 && status < 400) {
                error = "redirect to " + answer.location() + " not followed";
            }
        } catch (DomainProblem refused) {
            error = "refused: " + refused.getMessage();
        } catch (java.net.http.HttpTimeoutException timeout) {
            error = "timed out: " + timeout.getMessage();
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
            error = "interrupted: the node is stopping";
        } catch (Exception failure) {
            error = failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - t0) / 1_000_000);
        record(delivery, started, status, millis, error, body);
        return status;
    }

    private void record(Claimed delivery, Instant attemptedAt, Integer status, int millis, String error, String body) {
        Instant now = clock.instant();
        boolean delivered = status != null && status >= 200 && status < 300;
        boolean gone = status != null && status == 410;
        Instant next = now.plus(backoff(delivery.attempts()));
        boolean givingUp = !delivered && (gone || next.isAfter(delivery.createdAt().plus(giveUpAfter)));
        String state = delivered ? "DELIVERED" : givingUp ? "FAILED" : "PENDING";
        String lastError = gone ? "410 Gone: the endpoint was disabled" : givingUp && error == null
                ? "given up after " + delivery.attempts() + " attempts" : givingUp ? "given up: " + error : error;
        transactions.executeWithoutResult(tx -> {
            int updated = jdbc.sql("""
                    update webhook_delivery set status = ?, next_attempt_at = ?, lease_until = null, lease_token = null,
                        last_status_code = ?, last_error = ?, finished_at = ?
                    where id = ? and lease_token = ?""")
                    .params(state, Times.sql(state.equals("PENDING") ? next : now), status, cut(lastError, 500),
                            state.equals("PENDING") ? null : Times.sql(now), delivery.id(), delivery.leaseToken())
                    .update();
            if (updated == 0) {
                // The lease ran out and another worker took the delivery over: its record stands.
                log.info("webhook delivery {} was taken over before its attempt was recorded", delivery.id());
                return;
            }
            jdbc.sql("""
                    insert into webhook_attempt (account_id, endpoint_id, delivery_id, attempted_at, status_code, duration_ms,
                        error, response_body)
                    select account_id, endpoint_id, id, ?, ?, ?, ?, ? from webhook_delivery where id = ?""")
                    .params(Times.sql(attemptedAt), status, millis, cut(error, 500), body, delivery.id()).update();
            if (gone) {
                jdbc.sql("update webhook_endpoint set enabled = false, disabled_reason = 'GONE', updated_at = ? where id = ?")
                        .params(Times.sql(now), delivery.endpoint()).update();
            }
        });
    }

    /** {@code retryBase} doubling per attempt up to {@code retryMax}, of which a random half ("equal jitter"). */
    Duration backoff(int attempts) {
        long base = retryBase.toMillis();
        long max = retryMax.toMillis();
        long full = attempts >= 40 ? max : Math.min(max, base * (1L << Math.max(0, attempts - 1)));
        long half = full / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    private static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }

    /** Wakes idle workers, for deliveries just enqueued that should not wait for the next poll. */
    void nudge() {
        wake.release(workers);
    }

    private void work() {
        while (running) {
            try {
                Optional<Claimed> claimed = claim();
                if (claimed.isPresent()) {
                    send(claimed.get());
                } else {
                    wake.tryAcquire(poll.toMillis(), TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                }
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException failure) {
                log.warn("a webhook worker failed; going on after a pause", failure);
                try {
                    Thread.sleep(poll.toMillis());
                } catch (InterruptedException stopping) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Gives up deliveries still waiting past the limit (an endpoint disabled for longer than that) and
     * deletes finished deliveries, with their attempts, after the retention.
     */
    void housekeep() {
        Instant now = clock.instant();
        jdbc.sql("""
                update webhook_delivery set status = 'FAILED', finished_at = ?, last_error = 'given up: the endpoint was disabled'
                where status = 'PENDING' and created_at < ? and (lease_until is null or lease_until < ?)""")
                .params(Times.sql(now), Times.sql(now.minus(giveUpAfter)), Times.sql(now)).update();
        jdbc.sql("delete from webhook_delivery where status <> 'PENDING' and finished_at < ?")
                .param(Times.sql(now.minus(retention))).update();
    }

    @Override
    public void start() {
        running = true;
        for (int i = 0; i < workers; i++) {
            threads.start("webhooks-" + i, this::work);
        }
        housekeeping.start(Duration.ofMinutes(1), this::housekeep);
    }

    @Override
    public void stop() {
        running = false;
        housekeeping.stop();
        threads.interruptAndJoin(Duration.ofSeconds(5));
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
