package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.notifications.DevMailbox;
import io.mailtree.notifications.MailTransport;
import io.mailtree.shared.Caller;
import io.mailtree.shared.NodeIdentity;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.Times;
import io.mailtree.support.Eventually;
import io.mailtree.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The queue of one running Mailtree as {@link MessageQueueContract} drives it: real accounts, senders
 * and send calls put mail in, the delivery workers' own claim, delivery and restart take it out, and
 * a real SMTP relay ({@link ControllableRelay}) answers. The context it lives in runs no worker
 * threads ({@code mailtree.delivery.workers=0}), so every claim is the test's, made at the instant of
 * a clock the test moves.
 */
final class QueueContractFixture implements AutoCloseable {

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
        QueueContractFixture queueContractFixture(DeliveryWorkers workers, MessageQueue queue, AccountTree accounts,
                Senders senders, MailTransport transport, JdbcClient jdbc, MutableClock clock, NodeIdentity node,
                PlatformTransactionManager transactionManager) {
            return new QueueContractFixture(workers, queue, accounts, senders, (DevMailbox) transport, jdbc, clock,
                    node, new TransactionTemplate(transactionManager));
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
    private final MessageQueue queue;
    private final AccountTree accounts;
    private final Senders senders;
    private final DevMailbox mailbox;
    private final JdbcClient jdbc;
    private final MutableClock clock;
    private final NodeIdentity node;
    private final TransactionTemplate transactions;
    private final ControllableRelay relay = ControllableRelay.start();

    private QueueContractFixture(DeliveryWorkers workers, MessageQueue queue, AccountTree accounts, Senders senders,
            DevMailbox mailbox, JdbcClient jdbc, MutableClock clock, NodeIdentity node, TransactionTemplate transactions) {
        this.workers = workers;
        this.queue = queue;
        this.accounts = accounts;
        this.senders = senders;
        this.mailbox = mailbox;
        this.jdbc = jdbc;
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
            jdbc.sql("delete from message_event where message_id in (select id from message where status = 'QUEUED')")
                    .update();
            jdbc.sql("delete from message where status = 'QUEUED'").update();
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
        String body = "queue contract " + UUID.randomUUID();
        MessageQueue.Answer answer = queue.send(tenant.sub(), List.of(new OutboundMessage(
                new OutboundMessage.Party(tenant.from(), null), List.of(new OutboundMessage.Party(to, null)), null, null,
                null, "Queue contract", "Hello " + to, null, null, null, null, null, null, null, null)), null, body);
        SendResult result = answer.results().get(0);
        assertThat(result.status()).as("send result %s", result).isEqualTo("accepted");
        return jdbc.sql("select id from message where public_id = ?").param(UUID.fromString(result.id()))
                .query(Long.class).single();
    }

    /** A unique recipient address. */
    static String recipient(String who) {
        return who + "-" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 6)
                + "@rcpt.example.test";
    }

    /** One claim of up to {@code limit} messages, as a delivery worker of this node makes it, at the clock's instant. */
    List<DeliveryWorkers.Claimed> claim(int limit) {
        return workers.claim(limit);
    }

    /** The ids of claimed messages, in claim order. */
    static List<Long> ids(Collection<DeliveryWorkers.Claimed> claimed) {
        return claimed.stream().map(DeliveryWorkers.Claimed::id).toList();
    }

    /** Delivers a claimed batch over one connection to the test relay, which answers as {@code answer}. */
    void deliver(List<DeliveryWorkers.Claimed> batch, ControllableRelay.Answer answer) {
        relay.policy((recipient, attempt) -> answer);
        try (RelayConnection connection = new RelayConnection("127.0.0.1", relay.port(), null, null, "none")) {
            workers.deliver(batch, connection);
        }
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

    @Override
    public void close() {
        relay.close();
    }
}
