package io.mailtree.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The two shapes of background work: long-running threads and a periodic task that survives a failed run. */
class BackgroundWorkTests {

    @Test
    void aFailedRunDoesNotEndThePeriodicTask() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch thirdRun = new CountDownLatch(3);
        PeriodicTask task = new PeriodicTask("test-task", LoggerFactory.getLogger(BackgroundWorkTests.class));
        task.start(Duration.ofMillis(10), () -> {
            runs.incrementAndGet();
            thirdRun.countDown();
            throw new IllegalStateException("every run fails");
        });
        try {
            assertThat(thirdRun.await(10, TimeUnit.SECONDS)).as("ran again after failing").isTrue();
            assertThat(task.isRunning()).isTrue();
        } finally {
            task.stop();
        }
        assertThat(task.isRunning()).isFalse();
        assertThat(runs.get()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void stoppingInterruptsAndJoinsEveryThread() {
        BackgroundThreads threads = new BackgroundThreads();
        AtomicInteger ended = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            threads.start("test-" + i, () -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException stopped) {
                    ended.incrementAndGet();
                }
            });
        }
        threads.interruptAndJoin(Duration.ofSeconds(5));
        assertThat(ended.get()).isEqualTo(3);
    }
}
