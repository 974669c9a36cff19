package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.notifications.DevMailbox;
import io.mailtree.notifications.MailTransport;
import io.mailtree.notifications.RelaySettings;
import io.mailtree.notifications.SmtpRelay;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.NodeIdentity;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.Times;
import io.mailtree.support.ControllableRelay;
import io.mailtree.support.Eventually;
import io.mailtree.support.MutableClock;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The queue of one running Mailtree as {@link MessageQueueContract} drives it: real accounts, senders
 * and send calls put mail in, delivery's own claim ({@link MessageClaims}), attempt
 * ({@link DeliveryAttempts}), holds ({@link MessageHolds}) and restart take it out, and a real SMTP
 * relay ({@link ControllableRelay}) answers. The context it lives in ({@link Context}) runs no worker
 * threads ({@code mailtree.delivery.workers=0}), so every claim is the test's, made at the instant of
 * a clock the test moves.
 */
final class QueueContractFixture implements AutoCloseable {

    /**
     * The context of a queue contract implementation, whatever the database: Mailtree with its SMTP
     * servers off, no worker threads, the contract's lease and retry base, this fixture, and a context
     * of its own (closed after the class). An implementation adds what its database needs.
     */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @SpringBootTest(properties = {"mailtree.submission-port=0", "mailtree.inbound-port=0",
        "mailtree.delivery.workers=0",
        "mailtree.delivery.lease=" + MessageQueueContract.LEASE_SECONDS + "s",
        "mailtree.delivery.retry-base=" + MessageQueueContract.RETRY_BASE_SECONDS + "s"})
    @Import(QueueContractFixture.Beans.class)
    @DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
    @interface Context {
    }

    private static final Pattern CONFIRM_LINK = Pattern.compile("/senders/confirm\\?token=([A-Za-z0-9_.\\-]+)");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** The beans a queue contract context adds: its own movable clock and this fixture. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Beans {

        @Bean
        @Primary
        MutableClock queueContractClock() {
            return new MutableClock();
        }

        @Bean(destroyMethod = "close")
        QueueContractFixture queueContractFixture(DeliveryWorkers workers, MessageClaims claims,
                DeliveryAttempts attempts, MessageHolds holds, MessageQueue queue, AccountTree accounts, Senders senders,
                MailTransport transport, JdbcClient jdbc, JdbcTemplate jdbcTemplate, MutableClock clock, NodeIdentity node,
                PlatformTransactionManager transactionManager) {
            return new QueueContractFixture(workers, claims, attempts, holds, queue, accounts, senders,
                    (DevMailbox) transport, jdbc, jdbcTemplate, clock, node, new TransactionTemplate(transactionManager));
        }
    }

    /** A master and its sub-account, which sends from a confirmed address. */
    record Tenant(Caller master, Caller sub, String from) {
    }

    /** A message's row in the queue, as the claim and the outcome writer leave it. */
    record Row(String status, int attempts, Instant nextAttemptAt, Instant leaseUntil, String claimedBy,
            String lastError) {
    }

    private final DeliveryWorkers workers;
    private final MessageClaims claims;
    private final DeliveryAttempts attempts;
    private final MessageHolds holds;
    private final MessageQueue queue;
    private final AccountTree accounts;
    private final Senders senders;
    private final DevMailbox mailbox;
    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final MutableClock clock;
    private final NodeIdentity node;
    private final TransactionTemplate transactions;
    private final ControllableRelay relay = ControllableRelay.start();

    private QueueContractFixture(DeliveryWorkers workers, MessageClaims claims, DeliveryAttempts attempts,
            MessageHolds holds, MessageQueue queue, AccountTree accounts, Senders senders, DevMailbox mailbox,
            JdbcClient jdbc, JdbcTemplate jdbcTemplate, MutableClock clock, NodeIdentity node,
            TransactionTemplate transactions) {
        this.workers = workers;
        this.claims = claims;
        this.attempts = attempts;
        this.holds = holds;
        this.queue = queue;
        this.accounts = accounts;
        this.senders = senders;
        this.mailbox = mailbox;
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.clock = clock;
        this.node = node;
        this.transactions = transactions;
    }

    MutableClock clock() {
        return clock;
    }

    /** This node's id, the owner of the leases its claims take. */
    String node() {
        return node.id();
    }

    /** Deletes every queued message and its events, and puts the clock back: each behaviour starts from an empty queue. */
    void empty() {
        clock.reset();
        relay.policy((recipient, attempt) -> ControllableRelay.Answer.ACCEPT);
        relay.reset();
        transactions.executeWithoutResult(status -> {
            jdbc.sql("delete from message_event where message_id in (select id from message where status in (?, ?))")
                    .params(MessageStatus.QUEUED.name(), MessageStatus.HELD.name()).update();
            jdbc.sql("delete from message where status in (?, ?)")
                    .params(MessageStatus.QUEUED.name(), MessageStatus.HELD.name()).update();
        });
    }

    /** A new verified master with a sub-account whose sender address is confirmed through its e-mailed link. */
    Tenant tenant() {
        int n = SEQUENCE.incrementAndGet();
        Account master = accounts.createMaster("Queue contract " + n, "pro-1000");
        accounts.markVerified(master.id());
        Caller masterCaller = new Caller(master.id(), master.id(), true, Caller.Context.DIRECT, "queue contract", null,
                null, Permission.all(), "127.0.0.1");
        Account sub = accounts.createSubaccount(masterCaller, "Queue contract sub " + n, 500);
        Caller subCaller = new Caller(sub.id(), sub.id(), false, Caller.Context.DIRECT, "queue contract", null, null,
                Permission.all(), "127.0.0.1");
        String from = "news-" + n + "-" + UUID.randomUUID().toString().substring(0, 8) + "@queue.example.test";
        senders.add(sub.id(), from, "Queue contract");
        String[] token = new String[1];
        Eventually.within(Duration.ofSeconds(20), () -> {
            List<DevMailbox.Message> mail = mailbox.messages(from, new PageRequest(0, 10)).items();
            assertThat(mail).as("the confirmation mail to %s", from).isNotEmpty();
            Matcher link = CONFIRM_LINK.matcher(mail.get(0).text());
            assertThat(link.find()).as("a confirmation link in %s", mail.get(0).text()).isTrue();
            token[0] = link.group(1);
        });
        assertThat(senders.confirm(token[0])).as("the sender confirmed").isPresent();
        return new Tenant(masterCaller, subCaller, from);
    }

    /** Queues one message of the tenant's sub-account through the send API's service; answers its id in the queue. */
    long send(Tenant tenant, String to) {
        return send(tenant.sub(), tenant, to);
    }

    /** The same, sent with an API key of the sub-account (the caller names it). */
    long sendWithKey(Tenant tenant, io.mailtree.shared.ApiKeyId key, String to) {
        Caller sub = tenant.sub();
        return send(new Caller(sub.accountId(), sub.accountId(), false, Caller.Context.DIRECT, "queue contract", null, key,
                Permission.all(), "127.0.0.1"), tenant, to);
    }

    private long send(Caller caller, Tenant tenant, String to) {
        String body = "queue contract " + UUID.randomUUID();
        MessageQueue.Answer answer = queue.send(caller, List.of(new OutboundMessage(
                new OutboundMessage.Party(tenant.from(), null), List.of(new OutboundMessage.Party(to, null)), null, null,
                null, "Queue contract", "Hello " + to, null, null, null, null, null, null, null, null)), null, body);
        SendResult result = answer.results().get(0);
        assertThat(result.status()).as("send result %s", result).isEqualTo("accepted");
        return jdbc.sql("select id from message where public_id = ?").param(UUID.fromString(result.id()))
                .query(Long.class).single();
    }

    /**
     * Gives a queued message the claim priority of a key label, as the queue sets it at accept from the
     * key's label: {@code 0} TRANSACTIONAL, {@code 1} unlabelled, {@code 2} MARKETING.
     */
    void prioritised(long id, int priority) {
        jdbc.sql("update message set priority = ? where id = ?").params(priority, id).update();
    }

    /**
     * Queues {@code copies} more messages like {@code template} (same account, key, priority, recipient and
     * due time), with one batched statement: a backlog of thousands without thousands of send calls.
     * Answers their ids in the order they were queued.
     */
    List<Long> copies(long template, int copies) {
        List<UUID> publicIds = new java.util.ArrayList<>(copies);
        List<Object[]> rows = new java.util.ArrayList<>(copies);
        for (int i = 0; i < copies; i++) {
            UUID publicId = UUID.randomUUID();
            publicIds.add(publicId);
            rows.add(new Object[] {publicId, template});
        }
        transactions.executeWithoutResult(status -> SqlBatches.run(jdbcTemplate, """
                insert into message (public_id, account_id, api_key_id, status, from_email, recipients, subject,
                    message_id, attempts, next_attempt_at, created_at, updated_at, mime, via_smtp, priority)
                select ?, account_id, api_key_id, status, from_email, recipients, subject, message_id, 0,
                    next_attempt_at, created_at, updated_at, mime, via_smtp, priority
                from message where id = ?""", rows));
        java.util.Map<UUID, Long> ids = new java.util.HashMap<>();
        jdbc.sql("select public_id, id from message where account_id = (select account_id from message where id = ?)"
                + " and status = 'QUEUED'").param(template)
                .query(rs -> {
                    ids.put(rs.getObject(1, UUID.class), rs.getLong(2));
                });
        return publicIds.stream().map(ids::get).toList();
    }

    /** Queues one batch of a bulk send (a campaign's) in one transaction; answers the messages' ids in the queue. */
    List<Long> sendBulk(Tenant tenant, UUID bulkId, List<String> recipients) {
        List<BulkMessage> messages = recipients.stream().map(to -> new BulkMessage(tenant.from(), "News", to, null, null,
                "Bulk contract", "Hello " + to, "<p>Hello</p>", "https://mailtree.example.test/u/token-" + to.hashCode(),
                tenant.from() + "?subject=unsubscribe")).toList();
        List<UUID> publicIds = transactions.execute(status -> queue.enqueueBulk(tenant.sub(), bulkId, messages));
        return publicIds.stream().map(id -> jdbc.sql("select id from message where public_id = ?").param(id)
                .query(Long.class).single()).toList();
    }

    /** Queues a bulk batch with no transaction around it (refused). */
    void sendBulkOutsideATransaction(Tenant tenant, UUID bulkId) {
        queue.enqueueBulk(tenant.sub(), bulkId, List.of(new BulkMessage(tenant.from(), null, recipient("bulk"), null,
                null, "Bulk", "Hello", null, null, null)));
    }

    int holdBulk(UUID bulkId) {
        return holds.holdBulk(bulkId, "campaign cancelled");
    }

    int releaseBulk(UUID bulkId) {
        return holds.releaseBulk(bulkId, "campaign resumed");
    }

    /** The message's MIME as queued. */
    String mime(long id) {
        return new String(jdbc.sql("select mime from message where id = ?").param(id).query(byte[].class).single(),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A unique recipient address. */
    static String recipient(String who) {
        return who + "-" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 6)
                + "@rcpt.example.test";
    }

    /** One claim of up to {@code limit} messages, as a delivery worker of this node makes it, at the clock's instant. */
    List<MessageClaims.Claimed> claim(int limit) {
        return claims.claim(limit);
    }

    /** One claim as a worker of the priority lane makes it: TRANSACTIONAL and unlabelled mail only. */
    List<MessageClaims.Claimed> claimForTheLane(int limit) {
        return claims.claim(limit, DeliveryWorkers.LANE_PRIORITY);
    }

    /** The ids of claimed messages, in claim order. */
    static List<Long> ids(Collection<MessageClaims.Claimed> claimed) {
        return claimed.stream().map(MessageClaims.Claimed::id).toList();
    }

    /** Delivers a claimed batch over one connection to the test relay, which answers as {@code answer}. */
    void deliver(List<MessageClaims.Claimed> batch, ControllableRelay.Answer answer) {
        relay.policy((recipient, attempt) -> answer);
        try (MailTransport.Connection connection = new SmtpRelay(
                new RelaySettings("127.0.0.1", relay.port(), null, null, "none")).connect()) {
            attempts.deliver(batch, connection, () -> true);
        }
    }

    /**
     * Delivers a claimed batch as {@link #deliver} does, running {@code whileTheRelayHasTheFirst} (on the
     * relay's thread, so it commits while the worker waits for the relay's answer) when the relay is
     * handed the first recipient of the batch.
     */
    void deliverWhile(List<MessageClaims.Claimed> batch, String firstRecipient, Runnable whileTheRelayHasTheFirst) {
        relay.policy((recipient, attempt) -> {
            if (recipient.equalsIgnoreCase(firstRecipient)) {
                whileTheRelayHasTheFirst.run();
            }
            return ControllableRelay.Answer.ACCEPT;
        });
        try (MailTransport.Connection connection = new SmtpRelay(
                new RelaySettings("127.0.0.1", relay.port(), null, null, "none")).connect()) {
            attempts.deliver(batch, connection, () -> true);
        }
    }

    /** Holds the queued mail sent with the key, as a paused key will. */
    int holdKey(io.mailtree.shared.ApiKeyId key) {
        return holds.holdKey(key, "the key is paused");
    }

    int releaseKey(io.mailtree.shared.ApiKeyId key) {
        return holds.releaseKey(key, "the key is resumed");
    }

    /** Holds the account's queued mail directly, not through a deactivation. */
    int holdAccount(AccountId account) {
        return holds.holdAccount(account, "held by the queue contract");
    }

    int releaseAccount(AccountId account) {
        return holds.releaseAccount(account, "released by the queue contract");
    }

    /** How many times the relay accepted a message to {@code recipient}. */
    int acceptedAtTheRelay(String recipient) {
        return relay.acceptedFor(recipient);
    }

    /** Stops and starts the node's delivery workers, as a restart of the node does. */
    void restart() {
        workers.stop();
        workers.start();
    }

    void deactivate(Tenant tenant) {
        accounts.deactivate(tenant.master(), tenant.sub().accountId());
    }

    void activate(Tenant tenant) {
        accounts.activate(tenant.master(), tenant.sub().accountId());
    }

    /** Moves a message (and its events) to the tenant's sub-account, as if that account had sent it. */
    void movedTo(long id, Tenant tenant) {
        UUID account = tenant.sub().accountId().value();
        transactions.executeWithoutResult(status -> {
            jdbc.sql("update message set account_id = ? where id = ?").params(account, id).update();
            jdbc.sql("update message_event set account_id = ? where message_id = ?").params(account, id).update();
        });
    }

    /** Marks a leased message as claimed by another node, as that node's claim would have. */
    void leasedByAnotherNode(long id, String otherNode) {
        jdbc.sql("update message set claimed_by = ? where id = ?").params(otherNode, id).update();
    }

    Row row(long id) {
        return jdbc.sql("""
                select status, attempts, next_attempt_at, lease_until, claimed_by, last_error from message where id = ?""")
                .param(id)
                .query((rs, n) -> new Row(rs.getString("status"), rs.getInt("attempts"),
                        Times.instant(rs, "next_attempt_at"), Times.instant(rs, "lease_until"),
                        rs.getString("claimed_by"), rs.getString("last_error")))
                .single();
    }

    /** The types of a message's events, in the order they were written. */
    List<String> events(long id) {
        return jdbc.sql("select event_type from message_event where message_id = ? order by id").param(id)
                .query(String.class).list();
    }

    /** The detail of a message's last event of that type. */
    String eventDetail(long id, String type) {
        return jdbc.sql("select detail from message_event where message_id = ? and event_type = ? order by id desc")
                .params(id, type).query(String.class).list().stream().findFirst().orElse(null);
    }

    @Override
    public void close() {
        relay.close();
    }
}
