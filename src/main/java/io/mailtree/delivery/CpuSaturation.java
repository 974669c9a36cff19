package io.mailtree.delivery;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Whether this machine's processors (or the container's share of them) are nearly all busy, read from
 * the JVM's operating-system bean at most every {@link #EVERY}: marketing mail gives way to
 * transactional mail only then (D-20, ADR 0029). On an idle machine the receipts have cores to spare
 * and holding marketing back would only slow it. Where the figure cannot be read, the machine counts as
 * saturated, so the receipts keep their precedence.
 */
final class CpuSaturation {

    /** The share of the processors in use from which the machine counts as saturated. */
    static final double SATURATED = 0.9;

    static final Duration EVERY = Duration.ofMillis(250);

    private final com.sun.management.OperatingSystemMXBean os;
    private volatile long readAt = System.nanoTime() - 2 * EVERY.toNanos();
    private volatile boolean saturated = true;

    CpuSaturation() {
        this.os = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean bean
                ? bean : null;
    }

    boolean saturated() {
        if (os == null) {
            return true;
        }
        long now = System.nanoTime();
        if (now - readAt >= EVERY.toNanos()) {
            readAt = now;
            // The load since the previous call, between 0 and 1; negative when the system cannot tell.
            double load = os.getCpuLoad();
            saturated = load < 0 || load >= SATURATED;
        }
        return saturated;
    }
}
