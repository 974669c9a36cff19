package io.mailtree.delivery;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the delivery workers run, read once from {@code mailtree.delivery.*}.
 *
 * @param workers      delivery threads on this node, each with its own relay connection
 *                     ({@code MAILTREE_DELIVERY_WORKERS}); 0 delivers nothing (tests claim by hand)
 * @param batch        messages a worker claims at once; their outcomes are written in one transaction
 *                     ({@code MAILTREE_DELIVERY_BATCH})
 * @param lease        how long a claim holds its messages; sending a batch stops at half of it
 * @param retryHorizon how long a temporary failure is retried before it is a soft bounce
 * @param retryBase    the first retry's delay, doubled at each attempt (with 20 % jitter either way)
 * @param priorityWorkers how many of the workers take only TRANSACTIONAL and unlabelled mail (D-20,
 *                     {@code MAILTREE_DELIVERY_PRIORITY_WORKERS}); one worker always serves everything
 */
@ConfigurationProperties("mailtree.delivery")
record DeliverySettings(@DefaultValue("8") int workers, @DefaultValue("50") int batch,
        @DefaultValue("2m") Duration lease, @DefaultValue("72h") Duration retryHorizon,
        @DefaultValue("30s") Duration retryBase, @DefaultValue("1") int priorityWorkers) {

    DeliverySettings {
        if (workers < 0 || priorityWorkers < 0 || batch < 1 || lease.isNegative() || lease.isZero() || retryBase.isNegative()
                || retryHorizon.isNegative()) {
            throw new IllegalArgumentException("mailtree.delivery: workers must be at least 0, batch at least 1, "
                    + "the lease positive and the retry base and horizon not negative");
        }
    }
}
