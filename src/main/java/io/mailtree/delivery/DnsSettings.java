package io.mailtree.delivery;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How sending domains are checked against the DNS ({@code mailtree.dns.*}, ADR 0021).
 *
 * @param resolver the resolver to ask, {@code host} or {@code host:port}; empty asks the resolvers
 *        the system is configured with
 * @param timeout how long one lookup waits for an answer
 * @param recheckInterval how old a domain's last check may grow before the periodic re-check runs
 *        it again (a removed record is noticed within this)
 * @param recheckPoll how often the re-check looks for domains whose check is due
 * @param recheckBatch domains checked at most per poll, so one poll never holds a thread for long
 */
@ConfigurationProperties("mailtree.dns")
public record DnsSettings(@DefaultValue("") String resolver, @DefaultValue("5s") Duration timeout,
        @DefaultValue("6h") Duration recheckInterval, @DefaultValue("1m") Duration recheckPoll,
        @DefaultValue("20") int recheckBatch) {
}
