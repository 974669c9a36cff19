package io.mailtree.shared;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The long-running threads of one component (delivery workers, outcome consumers): started as
 * daemons so a stuck one never keeps the JVM alive, and on stop interrupted and joined for a bounded
 * time so a shutdown neither hangs nor leaves a thread writing after its component stopped.
 */
public final class BackgroundThreads {

    private final List<Thread> threads = new ArrayList<>();

    /** Starts {@code work} on a new daemon thread named {@code name}. */
    public synchronized void start(String name, Runnable work) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        thread.start();
        threads.add(thread);
    }

    /** Interrupts every thread, then waits up to {@code eachAtMost} for each to end. */
    public synchronized void interruptAndJoin(Duration eachAtMost) {
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            try {
                thread.join(eachAtMost.toMillis());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
    }
}
