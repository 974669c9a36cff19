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
        start(name, work, Thread.NORM_PRIORITY);
    }

    /**
     * Starts {@code work} on a daemon thread of the lowest priority: work that may wait while the
     * machine is busy (the outcome consumers, behind delivery). Java thread priorities reach the
     * operating system only where the JVM maps them: on Linux with {@code -XX:ThreadPriorityPolicy=1},
     * which {@code bin/start}, the container image and the benchmarks pass, a minimum-priority thread
     * runs at nice 4 (about 40 % of a normal thread's share of a contended core, all of an idle one);
     * without it the priority is a no-op and nothing else changes.
     */
    public synchronized void startYielding(String name, Runnable work) {
        start(name, work, Thread.MIN_PRIORITY);
    }

    private void start(String name, Runnable work, int priority) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        thread.setPriority(priority);
        thread.start();
        threads.add(thread);
    }

    /**
     * Waits up to {@code grace} in all for the threads to end by themselves (their component has told
     * them to stop, and each finishes what it holds), then interrupts those still running and waits up
     * to {@code eachAtMost} for each. For work that must not be cut in the middle: an interrupt can
     * fail a database write in progress (the embedded H2 closes its file channel on one), which would
     * leave, say, a message the relay took without its DELIVERED status, to be sent again.
     */
    public synchronized void finishThenInterrupt(Duration grace, Duration eachAtMost) {
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread thread : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                thread.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        interruptAndJoin(eachAtMost);
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
