package io.mailtree.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.access.LoginThrottle.Failures;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The throttle's policy, bucket by bucket: free failures, the doubling wait, its ceiling, forgetting,
 * and the bounded bucket keys. Counting across nodes is {@link LoginThrottleIntegrationTests}.
 */
class LoginThrottleTests {

    private static final Instant NOW = Instant.parse("2026-06-01T10:00:00Z");
    private static final Duration FIRST = Duration.ofSeconds(30);
    private static final Duration MAX = Duration.ofMinutes(15);

    @Test
    void noWaitUnderTheFreeFailures() {
        assertThat(LoginThrottle.remaining(null, NOW, 5, FIRST, MAX)).isZero();
        assertThat(LoginThrottle.remaining(new Failures(4, NOW), NOW, 5, FIRST, MAX)).isZero();
    }

    @Test
    void theWaitStartsAtTheLastFailureAndDoublesAtEachFurtherOne() {
        assertThat(LoginThrottle.remaining(new Failures(5, NOW), NOW, 5, FIRST, MAX)).isEqualTo(FIRST);
        assertThat(LoginThrottle.remaining(new Failures(5, NOW.minusSeconds(20)), NOW, 5, FIRST, MAX))
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(LoginThrottle.remaining(new Failures(5, NOW.minusSeconds(31)), NOW, 5, FIRST, MAX)).isZero();
        assertThat(LoginThrottle.remaining(new Failures(6, NOW), NOW, 5, FIRST, MAX)).isEqualTo(Duration.ofSeconds(60));
        assertThat(LoginThrottle.remaining(new Failures(8, NOW), NOW, 5, FIRST, MAX)).isEqualTo(Duration.ofSeconds(240));
    }

    @Test
    void theWaitHasACeilingEvenAfterManyFailures() {
        assertThat(LoginThrottle.waitAfter(3, FIRST, MAX)).isEqualTo(Duration.ofMinutes(4));
        assertThat(LoginThrottle.waitAfter(5, FIRST, MAX)).isEqualTo(MAX);
        assertThat(LoginThrottle.waitAfter(Integer.MAX_VALUE, FIRST, MAX)).isEqualTo(MAX);
        assertThat(LoginThrottle.waitAfter(1_000, Duration.ofSeconds(2), Duration.ofMinutes(1))).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aBucketUntouchedForAnHourIsForgotten() {
        Failures old = new Failures(500, NOW.minus(LoginThrottle.FORGET_AFTER).minusSeconds(1));
        assertThat(LoginThrottle.remaining(old, NOW, 5, FIRST, MAX)).isZero();
    }

    @Test
    void bucketKeysAreBoundedAndCaseInsensitive() {
        String huge = LoginThrottle.pairKey("Y".repeat(1_000_000), "a".repeat(10_000));
        assertThat(huge.length()).isLessThanOrEqualTo(340).isEqualTo("pair:".length() + 64 + 1 + LoginThrottle.MAX_KEY_LENGTH);
        assertThat(LoginThrottle.loginKey(" A@Example.TEST ")).isEqualTo(LoginThrottle.loginKey("a@example.test"));
        assertThat(LoginThrottle.loginKey("y".repeat(1_000_000))).isEqualTo(LoginThrottle.loginKey("y".repeat(LoginThrottle.MAX_KEY_LENGTH)));
        assertThat(LoginThrottle.addressKey(null)).isEqualTo("addr:unknown");
    }
}
