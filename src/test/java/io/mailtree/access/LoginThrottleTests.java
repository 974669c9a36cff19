package io.mailtree.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTests {

    private final MutableClock clock = new MutableClock();
    private final LoginThrottle throttle = new LoginThrottle(clock);

    @Test
    void blocksALoginAfterFiveFailuresForFifteenMinutes() {
        for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
            assertThat(throttle.isBlocked("a@example.test", "10.0.0.1")).isFalse();
            throttle.recordFailure("A@example.test", "10.0.0.1");
        }
        assertThat(throttle.isBlocked("a@example.test", "10.0.0.2")).isTrue();
        assertThat(throttle.isBlocked("b@example.test", "10.0.0.1")).isFalse();
        clock.advance(Duration.ofMinutes(16));
        assertThat(throttle.isBlocked("a@example.test", "10.0.0.1")).isFalse();
    }

    @Test
    void successClearsTheLoginsFailures() {
        throttle.recordFailure("c@example.test", "10.0.0.1");
        throttle.recordSuccess("c@example.test");
        for (int i = 0; i < LoginThrottle.MAX_FAILURES - 1; i++) {
            throttle.recordFailure("c@example.test", "10.0.0.1");
        }
        assertThat(throttle.isBlocked("c@example.test", "10.0.0.1")).isFalse();
    }
}
