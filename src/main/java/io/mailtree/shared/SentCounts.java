package io.mailtree.shared;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * How many messages accounts have sent, for modules that show a row per account (the sub-accounts
 * list) but sit below {@code delivery}, which keeps the statistics. Implemented by {@code delivery}.
 */
public interface SentCounts {

    /** The messages each of {@code accounts} had accepted for sending since {@code since}; an account with none is absent. */
    Map<AccountId, Long> acceptedSince(Collection<AccountId> accounts, Instant since);
}
