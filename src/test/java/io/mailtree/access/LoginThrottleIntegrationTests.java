package io.mailtree.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.DatabaseKind;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.MutableClock;
import io.mailtree.support.WebSession;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The sign-in throttle on the shared PostgreSQL: two throttles stand for two nodes of one
 * deployment (each its own instance, one database), so a failure on one counts on the other.
 */
class LoginThrottleIntegrationTests extends MailtreeTestBase {

    @Autowired
    DatabaseKind database;

    private final MutableClock time = new MutableClock();

    private LoginThrottle node() {
        return new LoginThrottle(jdbc, database, time);
    }

    private static String login(String who) {
        return who + "-" + UUID.randomUUID() + "@example.test";
    }

    private static String address() {
        UUID random = UUID.randomUUID();
        return "10." + (random.hashCode() & 0xff) + "." + ((random.hashCode() >> 8) & 0xff) + "." + random.toString().substring(0, 4);
    }

    @Test
    void aFailureOnOneNodeCountsOnTheOther() {
        LoginThrottle nodeA = node();
        LoginThrottle nodeB = node();
        String login = login("a");
        String address = address();
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            assertThat(nodeB.isBlocked(login, address)).as("after %d failures", i).isFalse();
            (i % 2 == 0 ? nodeA : nodeB).recordFailure(login.toUpperCase(), address);
        }
        assertThat(nodeB.isBlocked(login, address)).as("five failures spread over two nodes").isTrue();
        assertThat(nodeA.isBlocked(login, address)).isTrue();
        assertThat(nodeB.remainingWait(login, address)).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(30));
        assertThat(nodeB.isBlocked(login("b"), address)).as("another login at that address").isFalse();

        time.advance(Duration.ofSeconds(31));
        assertThat(nodeB.isBlocked(login, address)).isFalse();
        // Each further failure, on either node, doubles the wait: 60 s after the sixth.
        nodeA.recordFailure(login, address);
        assertThat(nodeB.remainingWait(login, address)).isBetween(Duration.ofSeconds(59), Duration.ofSeconds(60));
        time.advance(Duration.ofSeconds(61));
        assertThat(nodeB.isBlocked(login, address)).isFalse();
    }

    @Test
    void aSuccessOnOneNodeClearsTheFailuresCountedOnTheOther() {
        LoginThrottle nodeA = node();
        LoginThrottle nodeB = node();
        String login = login("c");
        String address = address();
        for (int i = 0; i < LoginThrottle.FREE_FAILURES - 1; i++) {
            nodeA.recordFailure(login, address);
        }
        nodeB.recordSuccess(login, address);
        for (int i = 0; i < LoginThrottle.FREE_FAILURES - 1; i++) {
            nodeA.recordFailure(login, address);
        }
        assertThat(nodeA.isBlocked(login, address)).isFalse();
        nodeA.recordFailure(login, address);
        assertThat(nodeA.isBlocked(login, address)).isTrue();
        // The address-less success (the SMTP submission's) clears the login at every address.
        nodeB.recordSuccess(login);
        assertThat(nodeA.isBlocked(login, address)).isFalse();
    }

    @Test
    void failuresFromAnotherAddressDoNotLockTheOwnerOut() {
        LoginThrottle nodeA = node();
        LoginThrottle nodeB = node();
        String login = login("operator");
        String attacker = address();
        for (int i = 0; i < LoginThrottle.FREE_FAILURES_PER_LOGIN - 1; i++) {
            (i % 2 == 0 ? nodeA : nodeB).recordFailure(login, attacker);
        }
        assertThat(nodeA.isBlocked(login, attacker)).isTrue();
        assertThat(nodeB.isBlocked(login, address())).isFalse();
    }

    @Test
    void aDistributedAttackOverNodesAndAddressesMakesTheOwnerWaitAtMostAMinute() {
        LoginThrottle nodeA = node();
        LoginThrottle nodeB = node();
        String login = login("operator");
        for (int i = 0; i < 60; i++) {
            (i % 2 == 0 ? nodeA : nodeB).recordFailure(login, "203.0.113." + (i % 20));
        }
        String greedy = address();
        for (int i = 0; i < 20; i++) {
            nodeB.recordFailure(login, greedy);
        }
        assertThat(nodeA.isBlocked(login, address())).isTrue();
        assertThat(nodeA.remainingWait(login, address())).isLessThanOrEqualTo(Duration.ofMinutes(1));
        time.advance(Duration.ofSeconds(61));
        assertThat(nodeA.isBlocked(login, address())).isFalse();
        // The address that guessed the most still waits its own, longer, backoff.
        assertThat(nodeA.isBlocked(login, greedy)).isTrue();
        time.advance(Duration.ofMinutes(15));
        assertThat(nodeA.isBlocked(login, greedy)).isFalse();
    }

    @Test
    void oneAddressTryingManyLoginsIsSlowedOnEveryNode() {
        LoginThrottle nodeA = node();
        LoginThrottle nodeB = node();
        String address = address();
        for (int i = 0; i < LoginThrottle.FREE_FAILURES_PER_ADDRESS; i++) {
            (i % 2 == 0 ? nodeA : nodeB).recordFailure(login("spray" + i), address);
        }
        assertThat(nodeB.isBlocked(login("fresh"), address)).isTrue();
        assertThat(nodeB.isBlocked(login("fresh"), address())).isFalse();
    }

    @Test
    void theTableIsPurgedOfAgedBucketsAndHeldToItsBound() {
        LoginThrottle throttle = node();
        String aged = login("aged");
        String agedAddress = address();
        throttle.recordFailure(aged, agedAddress);
        time.advance(LoginThrottle.FORGET_AFTER.plusMinutes(1));
        String recent = login("recent");
        String recentAddress = address();
        throttle.recordFailure(recent, recentAddress);

        long before = jdbc.sql("select count(*) from login_failure").query(Long.class).single();
        int bound = (int) before + 10;
        LoginFailurePurge purge = new LoginFailurePurge(jdbc, time, Duration.ofMinutes(1), bound);
        assertThat(purge.runOnce()).isGreaterThanOrEqualTo(3);
        assertThat(bucket(LoginThrottle.pairKey(aged, agedAddress))).isZero();
        assertThat(bucket(LoginThrottle.pairKey(recent, recentAddress))).isEqualTo(1);

        // A flood of distinct logins past the bound: the oldest rows go, the newest stay.
        String flooder = address();
        for (int i = 0; i < 30; i++) {
            time.advance(Duration.ofMillis(10));
            throttle.recordFailure(login("flood" + i), flooder);
        }
        String last = login("last");
        time.advance(Duration.ofMillis(10));
        throttle.recordFailure(last, flooder);
        purge.runOnce();
        assertThat(jdbc.sql("select count(*) from login_failure").query(Long.class).single()).isLessThanOrEqualTo(bound);
        assertThat(bucket(LoginThrottle.pairKey(last, flooder))).isEqualTo(1);
        assertThat(bucket(LoginThrottle.addressKey(flooder))).isEqualTo(31);
    }

    @Test
    void theSignInPageIsThrottledThroughTheSharedTable() {
        Master master = master("pro-5000");
        String owner = ownerOf(master, "right-password-1");
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            assertThat(new WebSession(port).signIn(owner, "wrong-password")).contains("error=bad").doesNotContain("throttled");
        }
        assertThat(jdbc.sql("select failures from login_failure where bucket = ?").param("login:" + owner.toLowerCase())
                .query(Integer.class).single()).isEqualTo(LoginThrottle.FREE_FAILURES);
        // Another node, reading the same table, refuses the right password too while the wait lasts.
        assertThat(new WebSession(port).signIn(owner, "right-password-1")).contains("error=throttled");
    }

    /**
     * Every test's requests come from 127.0.0.1, whose per-address count (all logins together) is
     * shared by the whole run through the database: this class's deliberate failures are taken back
     * so that they do not throttle another class's sign-ins.
     */
    @org.junit.jupiter.api.AfterEach
    void forgetTheLoopbackAddressCount() {
        jdbc.sql("delete from login_failure where bucket = ?").param(LoginThrottle.addressKey("127.0.0.1")).update();
    }

    private int bucket(String key) {
        return jdbc.sql("select coalesce(max(failures), 0) from login_failure where bucket = ?").param(key)
                .query(Integer.class).single();
    }
}
