package io.mailtree.campaigns;

import io.mailtree.delivery.Engagements;
import io.mailtree.shared.outcomes.OutcomeType;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Where the open and click endpoints put what they record (ADR 0027), so a pixel request touches no
 * database: one writer thread takes what arrived, finds the recipients' messages in one query and
 * writes the events with {@link Engagements#recordAll} in one transaction, every
 * {@code mailtree.tracking.flush-every} (50 ms) or sooner when a batch fills. A hundred opens cost one
 * commit instead of a hundred.
 *
 * <p>What this trades: an open or click is in the outcome stream within a flush, not at the response,
 * and a process killed between the two loses what the buffer held (at most a flush's worth; a stop
 * flushes it). An open is a signal, not mail: the ADR accepts that. A full buffer (the database down,
 * say) is written through synchronously by the request instead, so nothing is dropped while the
 * process lives.
 */
@Component
class EngagementBuffer {

    private static final Logger log = LoggerFactory.getLogger(EngagementBuffer.class);
    static final int CAPACITY = 100_000;
    static final int BATCH = 1_000;

    /** One recorded request: who, in which campaign, did what. */
    record Pending(long campaignId, long contactId, java.util.UUID account, OutcomeType type, Integer linkIndex,
            boolean machine, String detail) {
    }

    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final JdbcClient jdbc;
    private final Engagements engagements;
    private final Duration every;
    private final Object writing = new Object();
    private volatile boolean running;
    private Thread writer;

    EngagementBuffer(JdbcClient jdbc, Engagements engagements,
            @Value("${mailtree.tracking.flush-every:50ms}") Duration every) {
        this.jdbc = jdbc;
        this.engagements = engagements;
        this.every = every;
    }

    @PostConstruct
    void start() {
        running = true;
        writer = new Thread(this::run, "tracking-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        writer.interrupt();
        writer.join(5_000);
        flush();
    }

    void add(Pending pending) {
        if (!queue.offer(pending)) {
            write(List.of(pending)); // full: the request writes its own event rather than lose it
        }
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(every.toMillis()); // let a flush's worth gather, then write it whole
                flush();
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException failed) {
                log.warn("tracking events not written; the next flush tries what arrives next", failed);
            }
        }
    }

    /**
     * Writes everything waiting now, in batches. Taking from the queue and writing happen under one
     * lock, so when a flush returns, whatever was added before it is written (tests rely on that).
     */
    void flush() {
        synchronized (writing) {
            List<Pending> batch = new ArrayList<>(BATCH);
            while (queue.drainTo(batch, BATCH) > 0) {
                write(batch);
                batch = new ArrayList<>(BATCH);
            }
        }
    }

    private void write(List<Pending> batch) {
        synchronized (writing) { // also the full buffer's write-through
            Map<String, UUID> messages = messages(batch);
            List<Engagements.Engagement> events = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                UUID message = messages.get(p.campaignId() + ":" + p.contactId() + ":" + p.account());
                if (message != null) { // a recipient the campaign never queued: nothing to record
                    events.add(new Engagements.Engagement(message, p.type(), p.linkIndex(), p.machine(), p.detail()));
                }
            }
            engagements.recordAll(events);
        }
    }

    /** The messages of the batch's recipients, in one query by the recipients' primary keys. */
    private Map<String, UUID> messages(List<Pending> batch) {
        Set<String> keys = new LinkedHashSet<>();
        List<Object> params = new ArrayList<>();
        StringBuilder rows = new StringBuilder();
        for (Pending p : batch) {
            if (keys.add(p.campaignId() + ":" + p.contactId())) {
                rows.append(rows.length() == 0 ? "(?, ?)" : ", (?, ?)");
                params.add(p.campaignId());
                params.add(p.contactId());
            }
        }
        Map<String, UUID> found = new HashMap<>();
        // The token's account must be the recipient's: a key of account too, checked by the map's key.
        jdbc.sql("select campaign_id, contact_id, account_id, message_id from campaign_recipient"
                + " where (campaign_id, contact_id) in (" + rows + ") and message_id is not null").params(params)
                .query((rs, n) -> found.put(rs.getLong(1) + ":" + rs.getLong(2) + ":" + rs.getObject(3, UUID.class),
                        rs.getObject(4, UUID.class)))
                .list();
        return found;
    }
}
