package io.mailtree.shared;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A task run on one daemon thread every so often (the retention jobs). A failing run is logged and
 * tried again at the next period: one bad batch must not end the job for the life of the process.
 */
public final class PeriodicTask {

    private final String name;
    private final Logger log;
    private ScheduledExecutorService schedule;

    /** {@code name} names the thread and the log line of a failed run. */
    public PeriodicTask(String name, Logger log) {
        this.name = name;
        this.log = log;
    }

    /** Runs {@code task} every {@code every}, the first time after one period. */
    public synchronized void start(Duration every, Runnable task) {
        schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        schedule.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException failure) {
                log.warn("{} failed; trying again later", name, failure);
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    public synchronized void stop() {
        if (schedule != null) {
            schedule.shutdownNow();
        }
    }

    public synchronized boolean isRunning() {
        return schedule != null && !schedule.isShutdown();
    }
}
