package io.mailtree.support;

import java.time.Duration;

/**
 * Retries a block of assertions until it passes or a bounded time runs out, then fails with the last
 * assertion's message. For effects that arrive through an outcome consumer shortly after the act
 * (suppressions, contact status, last send): the assertions stay exactly as strict, only their
 * moment moves.
 */
public final class Eventually {

    /** Long enough for a consumer's poll and batch on a loaded machine; a consumer that is stuck fails. */
    public static final Duration CONSUMERS = Duration.ofSeconds(20);

    private Eventually() {
    }

    public static void within(Duration timeout, Runnable assertions) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                assertions.run();
                return;
            } catch (AssertionError | RuntimeException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", interrupted);
            }
        }
    }

    /** {@link #within} the time outcome consumers need. */
    public static void afterConsumers(Runnable assertions) {
        within(CONSUMERS, assertions);
    }
}
