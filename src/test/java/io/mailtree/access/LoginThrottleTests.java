package io.mailtree.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTests {

    private final MutableClock clock = new MutableClock();
    private final LoginThrottle throttle = new LoginThrottle(clock);

    @Test
    void blocksALoginFromOneAddressAfterFiveFailuresWithAGrowingWait() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            assertThat(throttle.isBlocked("a@example.test", "10.0.0.1")).isFalse();
            throttle.recordFailure("A@example.test", "10.0.0.1");
        }
        assertThat(throttle.isBlocked("a@example.test", "10.0.0.1")).isTrue();
        assertThat(throttle.isBlocked("b@example.test", "10.0.0.1")).isFalse();
        clock.advance(Duration.ofSeconds(31));
        assertThat(throttle.isBlocked("a@example.test", "10.0.0.1")).isFalse();

        // Each further failure doubles the wait: 60 s after the sixth.
        throttle.recordFailure("a@example.test", "10.0.0.1");
        clock.advance(Duration.ofSeconds(45));
        assertThat(throttle.isBlocked("a@example.test", "10.0.0.1")).isTrue();
        clock.advance(Duration.ofSeconds(16));
        assertThat(throttle.isBlocked("a@example.test", "10.0.0.1")).isFalse();
    }

    @Test
    void theRemainingWaitIsTheOneTheThrottleApplies() {
        assertThat(throttle.remainingWait("a@example.test", "10.0.0.1")).isZero();
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            throttle.recordFailure("a@example.test", "10.0.0.1");
        }
        assertThat(throttle.remainingWait("a@example.test", "10.0.0.1"))
                .isBetween(Duration.ofSeconds(29), Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(20));
        assertThat(throttle.remainingWait("a@example.test", "10.0.0.1"))
                .isBetween(Duration.ofSeconds(9), Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(11));
        assertThat(throttle.remainingWait("a@example.test", "10.0.0.1")).isZero();
        throttle.recordFailure("a@example.test", "10.0.0.1");
        assertThat(throttle.remainingWait("a@example.test", "10.0.0.1")).as("doubled after the sixth failure")
                .isBetween(Duration.ofSeconds(59), Duration.ofSeconds(60));
    }

    @Test
    void failuresFromAnotherAddressDoNotLockTheOwnerOut() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES_PER_LOGIN - 1; i++) {
            throttle.recordFailure("operator@example.test", "203.0.113.7");
        }
        assertThat(throttle.isBlocked("operator@example.test", "203.0.113.7")).isTrue();
        assertThat(throttle.isBlocked("operator@example.test", "198.51.100.2")).isFalse();
    }

    @Test
    void anOperatorUnderADistributedAttackWaitsAtMostAMinute() {
        for (int i = 0; i < 400; i++) {
            throttle.recordFailure("operator@example.test", "203.0.113." + (i % 100));
        }
        for (int i = 0; i < 200; i++) {
            throttle.recordFailure("operator@example.test", "192.0.2.66");
        }
        assertThat(throttle.isBlocked("operator@example.test", "198.51.100.2")).isTrue();
        clock.advance(Duration.ofSeconds(61));
        assertThat(throttle.isBlocked("operator@example.test", "198.51.100.2")).isFalse();
        // The address that guessed the most still waits its own, longer, backoff.
        assertThat(throttle.isBlocked("operator@example.test", "192.0.2.66")).isTrue();
        clock.advance(Duration.ofMinutes(15));
        assertThat(throttle.isBlocked("operator@example.test", "192.0.2.66")).isFalse();
    }

    @Test
    void successClearsTheLoginsFailures() {
        throttle.recordFailure("c@example.test", "10.0.0.1");
        throttle.recordSuccess("c@example.test");
        for (int i = 0; i < LoginThrottle.FREE_FAILURES - 1; i++) {
            throttle.recordFailure("c@example.test", "10.0.0.1");
        }
        assertThat(throttle.isBlocked("c@example.test", "10.0.0.1")).isFalse();
    }

    @Test
    void memoryIsBoundedInEntriesAndKeyLength() {
        String padding = "x".repeat(10_000);
        for (int i = 0; i < 150_000; i++) {
            throttle.recordFailure(i + padding + "@example.test", "10.1." + (i / 256 % 256) + "." + (i % 256));
        }
        assertThat(throttle.size()).isLessThanOrEqualTo(LoginThrottle.MAX_ENTRIES + 3);
        // A login longer than any e-mail address is cut: it shares the bucket of its first 254 characters
        // instead of keeping a megabyte-sized key.
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            throttle.recordFailure("y".repeat(1_000_000), "10.9.9.9");
        }
        assertThat(throttle.isBlocked("y".repeat(LoginThrottle.MAX_KEY_LENGTH), "10.9.9.9")).isTrue();
    }
}
