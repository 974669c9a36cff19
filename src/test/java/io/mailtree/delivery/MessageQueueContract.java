package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.ControllableRelay.Answer;
import io.mailtree.delivery.QueueContractFixture.Row;
import io.mailtree.delivery.QueueContractFixture.Tenant;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the outbound queue promises, whatever database holds it: one set of behaviours that every
 * backend runs ({@link PostgreSqlMessageQueueIntegrationTests}, {@link H2MessageQueueIntegrationTests}),
 * the way mail servers test their queue implementations (a contract interface with default test
 * methods, implemented once per backend). Mail goes in through the send service, comes out through
 * delivery's own claim, attempt and outcome writer, is held and released by delivery's own holds,
 * and meets a real SMTP relay; time moves only
 * when a behaviour moves the clock.
 *
 * <p>An implementation is a Mailtree context with no worker threads, a lease of {@value #LEASE_SECONDS}
 * seconds and a retry base of {@value #RETRY_BASE_SECONDS} seconds: {@link QueueContractFixture.Context}. Behaviours that differ by backend (whose leases a restart
 * releases) are tested in the implementation.
 */
interface MessageQueueContract {

    int LEASE_SECONDS = 120;
    int RETRY_BASE_SECONDS = 30;
    Duration LEASE = Duration.ofSeconds(LEASE_SECONDS);
    Duration RETRY_BASE = Duration.ofSeconds(RETRY_BASE_SECONDS);
    /** A claim larger than anything a behaviour queues, when the limit is not what is tested. */
    int ANY = 100;

    /** The queue under test. */
    QueueContractFixture queue();

    @BeforeEach
    default void startFromAnEmptyQueue() {
        queue().empty();
    }

    // --- claim ------------------------------------------------------------------------------------

    @Test
    @DisplayName("A claim leases the due messages oldest first, up to its limit, to this node, counting the attempt")
    default void claimLeasesDueMessagesOldestFirstUpToItsLimit() {
        Tenant tenant = queue().tenant();
        long first = queue().send(tenant, QueueContractFixture.recipient("first"));
        long second = queue().send(tenant, QueueContractFixture.recipient("second"));
        long third = queue().send(tenant, QueueContractFixture.recipient("third"));

        Instant before = queue().clock().instant();
        List<MessageClaims.Claimed> claimed = queue().claim(2);
        Instant after = queue().clock().instant();

        assertThat(QueueContractFixture.ids(claimed)).containsExactly(first, second);
        for (MessageClaims.Claimed message : claimed) {
            Row row = queue().row(message.id());
            assertThat(row.status()).isEqualTo("QUEUED");
            assertThat(row.attempts()).as("attempts of a first claim").isEqualTo(1);
            assertThat(message.attempts()).isEqualTo(1);
            assertThat(row.claimedBy()).as("the claiming node").isEqualTo(queue().node());
            assertThat(row.leaseUntil()).as("the lease the claim answered").isEqualTo(message.leaseUntil());
            assertThat(row.leaseUntil()).as("a lease from the claim's instant")
                    .isBetween(before.plus(LEASE).minusMillis(1), after.plus(LEASE));
        }
        Row untouched = queue().row(third);
        assertThat(untouched.leaseUntil()).as("the message past the limit is not leased").isNull();
        assertThat(untouched.attempts()).isZero();

        assertThat(QueueContractFixture.ids(queue().claim(ANY))).as("the next claim: only what is not leased")
                .containsExactly(third);
        assertThat(queue().claim(ANY)).as("nothing left to claim").isEmpty();
    }

    // --- priority and fairness between keys (D-20) -------------------------------------------------

    @Test
    @DisplayName("D-20: a claim takes one priority only, TRANSACTIONAL first, then unlabelled, then MARKETING, even when the marketing mail is older; the lane never takes MARKETING")
    default void d20ClaimTakesOnePriorityOnlyTransactionalFirst() {
        Tenant tenant = queue().tenant();
        long marketing = queue().send(tenant, QueueContractFixture.recipient("newsletter"));
        queue().prioritised(marketing, 2);
        long unlabelled = queue().send(tenant, QueueContractFixture.recipient("unlabelled"));
        long receipt = queue().send(tenant, QueueContractFixture.recipient("receipt"));
        long secondReceipt = queue().send(tenant, QueueContractFixture.recipient("receipt-2"));
        queue().prioritised(receipt, 0);
        queue().prioritised(secondReceipt, 0);

        List<MessageClaims.Claimed> first = queue().claim(ANY);
        assertThat(QueueContractFixture.ids(first)).as("the first claim: the TRANSACTIONAL mail only")
                .containsExactly(receipt, secondReceipt);
        assertThat(first).extracting(MessageClaims.Claimed::priority).containsOnly(0);
        assertThat(QueueContractFixture.ids(queue().claim(ANY))).as("the second: the unlabelled mail only")
                .containsExactly(unlabelled);
        assertThat(queue().claimForTheLane(ANY)).as("the lane's claim with only MARKETING mail due").isEmpty();
        List<MessageClaims.Claimed> last = queue().claim(ANY);
        assertThat(QueueContractFixture.ids(last)).as("the third: the MARKETING mail").containsExactly(marketing);
        assertThat(last.get(0).priority()).isEqualTo(2);
    }

    @Test
    @DisplayName("D-20: keys of one label take turns: beside a key with 10,000 due messages, another key's 10, queued after them, are all claimed within the first two batches of 50")
    default void d20AKeysTenMessagesPassAnotherKeysTenThousand() {
        Tenant tenant = queue().tenant();
        io.mailtree.shared.ApiKeyId flooding = io.mailtree.shared.ApiKeyId.random();
        io.mailtree.shared.ApiKeyId quiet = io.mailtree.shared.ApiKeyId.random();
        long firstOfTheFlood = queue().sendWithKey(tenant, flooding, QueueContractFixture.recipient("flood"));
        queue().prioritised(firstOfTheFlood, 2);
        List<Long> flood = new java.util.ArrayList<>(List.of(firstOfTheFlood));
        flood.addAll(queue().copies(firstOfTheFlood, 9_999));
        queue().clock().advance(Duration.ofSeconds(1));
        long firstOfTheTen = queue().sendWithKey(tenant, quiet, QueueContractFixture.recipient("quiet"));
        queue().prioritised(firstOfTheTen, 2);
        List<Long> ten = new java.util.ArrayList<>(List.of(firstOfTheTen));
        ten.addAll(queue().copies(firstOfTheTen, 9));
        assertThat(flood).hasSize(10_000).doesNotContainNull();
        assertThat(ten).hasSize(10).doesNotContainNull();

        List<Long> firstTwoBatches = new java.util.ArrayList<>();
        for (int batch = 0; batch < 2; batch++) {
            List<MessageClaims.Claimed> claimed = queue().claim(50);
            assertThat(claimed).as("batch %d", batch + 1).hasSize(50);
            firstTwoBatches.addAll(QueueContractFixture.ids(claimed));
        }

        assertThat(firstTwoBatches).as("the quiet key's ten messages among the first two batches")
                .containsAll(ten);
        List<Long> floodClaimed = firstTwoBatches.stream().filter(id -> !ten.contains(id)).toList();
        assertThat(floodClaimed).as("the flooding key's share: its oldest messages, in order")
                .containsExactlyElementsOf(flood.subList(0, 90));
    }

    @Test
    @DisplayName("D-20: three keys with backlogs of one label: three batches in a row serve three different keys")
    default void d20KeysWithBacklogsAreServedInTurn() {
        Tenant tenant = queue().tenant();
        java.util.Map<java.util.UUID, List<Long>> backlogs = new java.util.HashMap<>();
        for (int k = 0; k < 3; k++) {
            io.mailtree.shared.ApiKeyId key = io.mailtree.shared.ApiKeyId.random();
            long first = queue().sendWithKey(tenant, key, QueueContractFixture.recipient("backlog-" + k));
            queue().prioritised(first, 2);
            List<Long> backlog = new java.util.ArrayList<>(List.of(first));
            backlog.addAll(queue().copies(first, 119));
            backlogs.put(key.value(), backlog);
        }

        List<java.util.UUID> served = new java.util.ArrayList<>();
        for (int batch = 0; batch < 3; batch++) {
            List<MessageClaims.Claimed> claimed = queue().claim(50);
            assertThat(claimed).extracting(MessageClaims.Claimed::apiKeyId).as("batch %d: one key's mail", batch + 1)
                    .hasSize(50).containsOnly(claimed.get(0).apiKeyId());
            served.add(claimed.get(0).apiKeyId());
        }
        assertThat(served).as("the keys the three batches served").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(backlogs.keySet());
    }

    // --- lease expiry -----------------------------------------------------------------------------

    @Test
    @DisplayName("A leased message is not claimed again while its lease holds, even a second before it ends")
    default void leasedMessageIsNotClaimedAgainWhileItsLeaseHolds() {
        Tenant tenant = queue().tenant();
        long message = queue().send(tenant, QueueContractFixture.recipient("leased"));
        assertThat(QueueContractFixture.ids(queue().claim(ANY))).containsExactly(message);

        assertThat(queue().claim(ANY)).as("claimed again at once").isEmpty();
        queue().clock().advance(LEASE.minusSeconds(1));
        assertThat(queue().claim(ANY)).as("claimed again a second before the lease ends").isEmpty();
        assertThat(queue().row(message).attempts()).isEqualTo(1);
    }

    @Test
    @DisplayName("Once its lease has passed, a claimed message is claimed again under a new lease, the attempt counted")
    default void expiredLeaseHandsTheMessageToTheNextClaim() {
        Tenant tenant = queue().tenant();
        long message = queue().send(tenant, QueueContractFixture.recipient("expired"));
        MessageClaims.Claimed first = queue().claim(ANY).get(0);

        queue().clock().advance(LEASE.plusSeconds(1));
        List<MessageClaims.Claimed> again = queue().claim(ANY);

        assertThat(QueueContractFixture.ids(again)).containsExactly(message);
        assertThat(again.get(0).leaseUntil()).as("the new lease").isAfter(first.leaseUntil().plus(LEASE).minusSeconds(1));
        Row row = queue().row(message);
        assertThat(row.leaseUntil()).isEqualTo(again.get(0).leaseUntil());
        assertThat(row.attempts()).as("attempts after the lease passed and the message was claimed again").isEqualTo(2);
        assertThat(row.status()).isEqualTo("QUEUED");
    }

    // --- hold and release (D-12) ------------------------------------------------------------------

    @Test
    @DisplayName("D-12: an inactive sub-account's queued mail is held: marked HELD with a HELD event, never claimed, nothing lost")
    default void d12InactiveAccountsMailIsHeldNotClaimedAndNotLost() {
        Tenant held = queue().tenant();
        Tenant active = queue().tenant();
        long heldMessage = queue().send(held, QueueContractFixture.recipient("held"));
        long activeMessage = queue().send(active, QueueContractFixture.recipient("active"));
        queue().deactivate(held);

        Row row = queue().row(heldMessage);
        assertThat(row.status()).as("status once the sub-account is deactivated").isEqualTo("HELD");
        assertThat(queue().events(heldMessage)).containsExactly("ACCEPTED", "QUEUED", "HELD");
        assertThat(queue().eventDetail(heldMessage, "HELD")).isEqualTo("the sub-account was deactivated");
        assertThat(queue().row(activeMessage).status()).as("another account's message").isEqualTo("QUEUED");

        List<MessageClaims.Claimed> claimed = queue().claim(ANY);
        assertThat(QueueContractFixture.ids(claimed)).as("claimed while the account is inactive")
                .containsExactly(activeMessage);
        queue().deliver(claimed, Answer.ACCEPT);
        queue().clock().advance(Duration.ofHours(6));
        assertThat(queue().claim(ANY)).as("claimed six hours later").isEmpty();

        row = queue().row(heldMessage);
        assertThat(row.status()).isEqualTo("HELD");
        assertThat(row.leaseUntil()).isNull();
        assertThat(row.attempts()).as("attempts of a held message").isZero();
        assertThat(queue().events(heldMessage)).containsExactly("ACCEPTED", "QUEUED", "HELD");
    }

    @Test
    @DisplayName("D-12: once the sub-account is active again, its held mail is released (RELEASED event), claimed and delivered")
    default void d12ReactivatedAccountsHeldMailIsClaimedAndDelivered() {
        Tenant tenant = queue().tenant();
        String to = QueueContractFixture.recipient("released");
        long message = queue().send(tenant, to);
        queue().deactivate(tenant);
        assertThat(queue().claim(ANY)).as("claimed while inactive").isEmpty();
        queue().clock().advance(Duration.ofHours(1));

        Instant before = queue().clock().instant();
        queue().activate(tenant);
        Instant after = queue().clock().instant();
        Row row = queue().row(message);
        assertThat(row.status()).isEqualTo("QUEUED");
        assertThat(row.nextAttemptAt()).as("due at once when released")
                .isBetween(before.minusMillis(1), after.plusMillis(1));
        assertThat(queue().events(message)).containsExactly("ACCEPTED", "QUEUED", "HELD", "RELEASED");
        List<MessageClaims.Claimed> released = queue().claim(ANY);

        assertThat(QueueContractFixture.ids(released)).containsExactly(message);
        queue().deliver(released, Answer.ACCEPT);
        assertThat(queue().row(message).status()).isEqualTo("DELIVERED");
        assertThat(queue().acceptedAtTheRelay(to)).isEqualTo(1);
        assertThat(queue().events(message)).containsExactly("ACCEPTED", "QUEUED", "HELD", "RELEASED", "DELIVERED");
    }

    @Test
    @DisplayName("D-12: a message accepted in the race, after its account's mail was held, is still not claimed while it is inactive")
    default void d12QueuedMessageOfAnInactiveAccountIsNotClaimed() {
        Tenant tenant = queue().tenant();
        long before = queue().send(tenant, QueueContractFixture.recipient("before"));
        queue().deactivate(tenant);
        // Accepted by a send that checked the account just before the deactivation committed.
        long race = queue().send(queue().tenant(), QueueContractFixture.recipient("race"));
        queue().movedTo(race, tenant);

        assertThat(queue().row(race).status()).isEqualTo("QUEUED");
        assertThat(queue().claim(ANY)).as("claimed while the account is inactive").isEmpty();

        queue().activate(tenant);
        assertThat(QueueContractFixture.ids(queue().claim(ANY))).containsExactlyInAnyOrder(before, race);
    }

    @Test
    @DisplayName("Mail held for an API key is not claimed and has a HELD event; released, it is claimed and has a RELEASED event")
    default void mailHeldForAKeyIsNotClaimedUntilReleased() {
        Tenant tenant = queue().tenant();
        io.mailtree.shared.ApiKeyId paused = io.mailtree.shared.ApiKeyId.random();
        io.mailtree.shared.ApiKeyId other = io.mailtree.shared.ApiKeyId.random();
        String to = QueueContractFixture.recipient("paused-key");
        long held = queue().sendWithKey(tenant, paused, to);
        long notHeld = queue().sendWithKey(tenant, other, QueueContractFixture.recipient("other-key"));

        assertThat(queue().holdKey(paused)).as("messages held").isEqualTo(1);

        assertThat(queue().row(held).status()).isEqualTo("HELD");
        assertThat(queue().events(held)).containsExactly("ACCEPTED", "QUEUED", "HELD");
        assertThat(queue().eventDetail(held, "HELD")).isEqualTo("the key is paused");
        assertThat(QueueContractFixture.ids(queue().claim(ANY))).as("claimed while the key's mail is held")
                .containsExactly(notHeld);
        queue().clock().advance(LEASE.multipliedBy(3));
        assertThat(queue().claim(ANY)).as("claimed later, the other message's lease long passed")
                .extracting(MessageClaims.Claimed::id).doesNotContain(held);

        assertThat(queue().releaseKey(paused)).as("messages released").isEqualTo(1);
        assertThat(queue().releaseKey(paused)).as("released twice").isZero();
        assertThat(queue().events(held)).containsExactly("ACCEPTED", "QUEUED", "HELD", "RELEASED");
        List<MessageClaims.Claimed> released = queue().claim(ANY);
        assertThat(QueueContractFixture.ids(released)).contains(held);
        queue().deliver(released, Answer.ACCEPT);
        assertThat(queue().row(held).status()).isEqualTo("DELIVERED");
        assertThat(queue().acceptedAtTheRelay(to)).isEqualTo(1);
    }

    @Test
    @DisplayName("A bulk batch is queued in its caller's transaction with the one-click unsubscribe headers; holdBulk holds only its messages and releaseBulk gives them back")
    default void bulkBatchQueuedWithUnsubscribeHeadersAndHeldByItsBulkId() {
        Tenant tenant = queue().tenant();
        java.util.UUID bulk = java.util.UUID.randomUUID();
        String first = QueueContractFixture.recipient("bulk-1");
        List<Long> bulkMessages = queue().sendBulk(tenant, bulk, List.of(first, QueueContractFixture.recipient("bulk-2")));
        long other = queue().send(tenant, QueueContractFixture.recipient("not-bulk"));
        assertThat(bulkMessages).hasSize(2);
        assertThat(queue().mime(bulkMessages.get(0)))
                .contains("List-Unsubscribe: <https://mailtree.example.test/u/token-" + first.hashCode() + ">, <mailto:"
                        + tenant.from() + "?subject=unsubscribe>")
                .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> queue().sendBulkOutsideATransaction(tenant, bulk))
                .isInstanceOf(IllegalStateException.class);

        assertThat(queue().holdBulk(bulk)).isEqualTo(2);
        assertThat(queue().row(bulkMessages.get(1)).status()).isEqualTo("HELD");
        assertThat(queue().eventDetail(bulkMessages.get(1), "HELD")).isEqualTo("campaign cancelled");
        assertThat(QueueContractFixture.ids(queue().claim(ANY))).as("only the other message is claimed")
                .containsExactly(other);

        assertThat(queue().releaseBulk(bulk)).isEqualTo(2);
        assertThat(QueueContractFixture.ids(queue().claim(ANY))).containsExactlyInAnyOrderElementsOf(bulkMessages);
    }

    @Test
    @DisplayName("A release releases only what was held for the same thing: mail held for a key stays held when its account is reactivated")
    default void releaseLeavesMailHeldForAnotherReason() {
        Tenant tenant = queue().tenant();
        io.mailtree.shared.ApiKeyId paused = io.mailtree.shared.ApiKeyId.random();
        long keyHeld = queue().sendWithKey(tenant, paused, QueueContractFixture.recipient("key-held"));
        long accountHeld = queue().send(tenant, QueueContractFixture.recipient("account-held"));
        queue().holdKey(paused);
        queue().deactivate(tenant);
        assertThat(queue().events(keyHeld)).as("held once, for its key").containsExactly("ACCEPTED", "QUEUED", "HELD");

        queue().activate(tenant);

        assertThat(queue().row(accountHeld).status()).isEqualTo("QUEUED");
        assertThat(queue().row(keyHeld).status()).as("held for its key").isEqualTo("HELD");
        assertThat(QueueContractFixture.ids(queue().claim(ANY))).containsExactly(accountHeld);
    }

    @Test
    @DisplayName("A message claimed and then held is not handed to the transport: it stays held, its lease and attempt given back; released, it goes out")
    default void messageClaimedThenHeldIsNotHandedToTheTransport() {
        Tenant tenant = queue().tenant();
        String to = QueueContractFixture.recipient("claimed-then-held");
        long message = queue().send(tenant, to);
        List<MessageClaims.Claimed> claimed = queue().claim(ANY);
        assertThat(QueueContractFixture.ids(claimed)).containsExactly(message);

        assertThat(queue().holdAccount(tenant.sub().accountId())).isEqualTo(1);
        queue().deliver(claimed, Answer.ACCEPT);

        assertThat(queue().acceptedAtTheRelay(to)).as("nothing handed over after the hold committed").isZero();
        QueueContractFixture.Row row = queue().row(message);
        assertThat(row.status()).isEqualTo("HELD");
        assertThat(row.leaseUntil()).as("the lease given back").isNull();
        assertThat(row.attempts()).as("the attempt not counted").isZero();
        assertThat(queue().events(message)).containsExactly("ACCEPTED", "QUEUED", "HELD");

        assertThat(queue().releaseAccount(tenant.sub().accountId())).isEqualTo(1);
        queue().deliver(queue().claim(ANY), Answer.ACCEPT);
        assertThat(queue().row(message).status()).isEqualTo("DELIVERED");
        assertThat(queue().acceptedAtTheRelay(to)).isEqualTo(1);
    }

    @Test
    @DisplayName("A bulk send held while its batch is being delivered: the message the relay already had is recorded as delivered, the rest of the batch is not handed over")
    default void bulkHeldMidBatchStopsAtTheNextMessage() {
        Tenant tenant = queue().tenant();
        java.util.UUID bulk = java.util.UUID.randomUUID();
        List<String> recipients = List.of(QueueContractFixture.recipient("mid-1"), QueueContractFixture.recipient("mid-2"),
                QueueContractFixture.recipient("mid-3"));
        List<Long> messages = queue().sendBulk(tenant, bulk, recipients);
        List<MessageClaims.Claimed> claimed = queue().claim(ANY);
        assertThat(QueueContractFixture.ids(claimed)).containsExactlyElementsOf(messages);

        java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
        queue().deliverWhile(claimed, recipients.get(0), () -> held.set(queue().holdBulk(bulk)));

        assertThat(held.get()).as("the cancel held the whole batch, in flight as it was").isEqualTo(3);
        assertThat(queue().acceptedAtTheRelay(recipients.get(0))).isEqualTo(1);
        assertThat(queue().row(messages.get(0)).status()).as("the relay took it: it did go out").isEqualTo("DELIVERED");
        for (int i = 1; i < 3; i++) {
            assertThat(queue().acceptedAtTheRelay(recipients.get(i))).as("after the hold committed").isZero();
            assertThat(queue().row(messages.get(i)).status()).isEqualTo("HELD");
            assertThat(queue().row(messages.get(i)).leaseUntil()).isNull();
        }
    }

    // --- retry ------------------------------------------------------------------------------------

    @Test
    @DisplayName("A temporary failure defers the message with growing backoff; it is claimed again when due, not before")
    default void temporaryFailureIsDeferredWithBackoffAndClaimedAgainWhenDue() {
        Tenant tenant = queue().tenant();
        String to = QueueContractFixture.recipient("retried");
        long message = queue().send(tenant, to);

        // First attempt: 451, retried after the base (30 s) with 20 % jitter either way.
        Instant firstNext = deferOnce(message, queue().claim(ANY), RETRY_BASE);
        assertThat(queue().claim(ANY)).as("claimed before it is due").isEmpty();
        moveClockTo(firstNext.minusSeconds(1));
        assertThat(queue().claim(ANY)).as("claimed a second before it is due").isEmpty();
        moveClockTo(firstNext.plusSeconds(1));
        List<MessageClaims.Claimed> second = queue().claim(ANY);
        assertThat(QueueContractFixture.ids(second)).as("claimed once due").containsExactly(message);
        assertThat(second.get(0).attempts()).isEqualTo(2);

        // Second attempt: 451 again, retried after twice the base.
        Instant secondNext = deferOnce(message, second, RETRY_BASE.multipliedBy(2));
        moveClockTo(secondNext.plusSeconds(1));
        List<MessageClaims.Claimed> third = queue().claim(ANY);
        assertThat(QueueContractFixture.ids(third)).containsExactly(message);

        queue().deliver(third, Answer.ACCEPT);
        Row delivered = queue().row(message);
        assertThat(delivered.status()).isEqualTo("DELIVERED");
        assertThat(delivered.attempts()).isEqualTo(3);
        assertThat(delivered.leaseUntil()).isNull();
        assertThat(queue().events(message)).containsExactly("ACCEPTED", "QUEUED", "DEFERRED", "DEFERRED", "DELIVERED");
        assertThat(queue().acceptedAtTheRelay(to)).isEqualTo(1);
    }

    /**
     * Delivers a claimed batch of one message against a relay answering 451 at RCPT; checks that it is
     * deferred by {@code backoff} give or take the 20 % jitter, with its lease given up. Answers when it is due.
     */
    private Instant deferOnce(long message, List<MessageClaims.Claimed> claimed, Duration backoff) {
        assertThat(QueueContractFixture.ids(claimed)).containsExactly(message);
        Instant before = queue().clock().instant();
        queue().deliver(claimed, Answer.TEMPORARY_AT_RCPT);
        Instant after = queue().clock().instant();
        Row row = queue().row(message);
        assertThat(row.status()).isEqualTo("QUEUED");
        assertThat(row.leaseUntil()).as("the lease is given up with the deferral").isNull();
        assertThat(row.lastError()).as("the reason of the deferral").isNotBlank();
        assertThat(row.nextAttemptAt()).as("next attempt after a backoff of %s with 20 %% jitter", backoff)
                .isBetween(before.plus(backoff.multipliedBy(8).dividedBy(10)),
                        after.plus(backoff.multipliedBy(12).dividedBy(10)));
        assertThat(queue().events(message)).last().isEqualTo("DEFERRED");
        return row.nextAttemptAt();
    }

    private void moveClockTo(Instant at) {
        queue().clock().advance(Duration.between(queue().clock().instant(), at));
    }

    // --- outcome under a lost lease ---------------------------------------------------------------

    @Test
    @DisplayName("A worker whose lease passed to another writes no status and no event; the new holder's outcome counts")
    default void workerThatLostItsLeaseWritesNoStatusAndNoEvent() {
        Tenant tenant = queue().tenant();
        String to = QueueContractFixture.recipient("lost");
        long message = queue().send(tenant, to);
        List<MessageClaims.Claimed> slow = queue().claim(ANY);
        queue().clock().advance(LEASE.plusSeconds(1));
        List<MessageClaims.Claimed> takeover = queue().claim(ANY);
        assertThat(QueueContractFixture.ids(takeover)).as("taken over after the lease").containsExactly(message);

        queue().deliver(slow, Answer.ACCEPT);

        Row afterSlow = queue().row(message);
        assertThat(afterSlow.status()).as("status written by the worker that lost the lease").isEqualTo("QUEUED");
        assertThat(afterSlow.leaseUntil()).as("the new holder's lease stays").isEqualTo(takeover.get(0).leaseUntil());
        assertThat(afterSlow.attempts()).isEqualTo(2);
        assertThat(queue().events(message)).as("events written by the worker that lost the lease")
                .containsExactly("ACCEPTED", "QUEUED");
        // At least once: the slow worker did hand it to the relay; only its record is refused.
        assertThat(queue().acceptedAtTheRelay(to)).isEqualTo(1);

        queue().deliver(takeover, Answer.ACCEPT);
        assertThat(queue().row(message).status()).isEqualTo("DELIVERED");
        assertThat(queue().acceptedAtTheRelay(to)).as("handed over by both workers").isEqualTo(2);
        assertThat(queue().events(message)).containsExactly("ACCEPTED", "QUEUED", "DELIVERED");

        queue().clock().advance(LEASE.plusSeconds(1));
        assertThat(queue().claim(ANY)).as("a delivered message is never claimed again").isEmpty();
    }

    @Test
    @DisplayName("A worker whose lease passed to another cannot defer the message: the retry time, lease and error stay")
    default void workerThatLostItsLeaseCannotDeferTheMessage() {
        Tenant tenant = queue().tenant();
        long message = queue().send(tenant, QueueContractFixture.recipient("lost-deferral"));
        List<MessageClaims.Claimed> slow = queue().claim(ANY);
        queue().clock().advance(LEASE.plusSeconds(1));
        List<MessageClaims.Claimed> takeover = queue().claim(ANY);
        Row held = queue().row(message);

        queue().deliver(slow, Answer.TEMPORARY_AT_RCPT);

        assertThat(queue().row(message)).as("the row after the slow worker's 451").isEqualTo(held);
        assertThat(held.leaseUntil()).isEqualTo(takeover.get(0).leaseUntil());
        assertThat(queue().events(message)).as("events written by the worker that lost the lease")
                .containsExactly("ACCEPTED", "QUEUED");
    }

    // --- restart ----------------------------------------------------------------------------------

    @Test
    @DisplayName("A restart releases the leases this node held: what it had claimed is claimable at once, not after the lease")
    default void restartReleasesTheNodesOwnLeases() {
        Tenant tenant = queue().tenant();
        long first = queue().send(tenant, QueueContractFixture.recipient("restart"));
        long second = queue().send(tenant, QueueContractFixture.recipient("restart"));
        assertThat(QueueContractFixture.ids(queue().claim(ANY))).containsExactly(first, second);
        assertThat(queue().claim(ANY)).as("claimable before the restart").isEmpty();

        queue().restart();

        assertThat(queue().row(first).leaseUntil()).as("lease after the restart").isNull();
        assertThat(QueueContractFixture.ids(queue().claim(ANY))).as("claimable at once after the restart")
                .containsExactly(first, second);
        assertThat(queue().row(first).claimedBy()).isEqualTo(queue().node());
    }
}
