package io.mailtree.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A throttled SMTP login is told the throttle's own remaining wait, not a fixed figure. */
class SubmissionWaitTextTests {

    @Test
    void theRefusalSaysTheRemainingWait() {
        assertThat(SubmissionServer.waitText(Duration.ofMillis(29_200))).isEqualTo("30 seconds");
        assertThat(SubmissionServer.waitText(Duration.ofMillis(300))).isEqualTo("1 second");
        assertThat(SubmissionServer.waitText(Duration.ofSeconds(119))).isEqualTo("119 seconds");
        assertThat(SubmissionServer.waitText(Duration.ofSeconds(121))).isEqualTo("3 minutes");
        assertThat(SubmissionServer.waitText(Duration.ofMinutes(15))).isEqualTo("15 minutes");
    }
}
