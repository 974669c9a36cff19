package io.mailtree.shared;

import java.time.Duration;
import org.slf4j.Logger;
import org.springframework.context.SmartLifecycle;

/**
 * A retention job: a pass every {@code mailtree.retention.every} that deletes what is past its age,
 * run on a {@link PeriodicTask} for the life of the application and logged when it deleted anything.
 * Each job states only what it deletes ({@link #runOnce()}) and how the log line names it.
 */
public abstract class RetentionJob implements SmartLifecycle {

    private final Logger log;
    private final Duration every;
    private final String deletedWhat;
    private final PeriodicTask task;

    /**
     * {@code name} names the thread; {@code deletedWhat} ends the log line "retention: N ..." (for
     * example "inbound reports deleted").
     */
    protected RetentionJob(String name, Logger log, Duration every, String deletedWhat) {
        this.log = log;
        this.every = every;
        this.deletedWhat = deletedWhat;
        this.task = new PeriodicTask(name, log);
    }

    /** One pass: answers how many rows it deleted. */
    protected abstract int runOnce();

    @Override
    public void start() {
        task.start(every, () -> {
            int deleted = runOnce();
            if (deleted > 0) {
                log.info("retention: {} {}", deleted, deletedWhat);
            }
        });
    }

    @Override
    public void stop() {
        task.stop();
    }

    @Override
    public boolean isRunning() {
        return task.isRunning();
    }
}
