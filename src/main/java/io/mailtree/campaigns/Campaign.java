package io.mailtree.campaigns;

import io.mailtree.shared.DomainProblem;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A campaign: an e-mail (as it was when the campaign was created) to lists, at {@code scheduledAt}
 * ({@code timeZone} is the zone it was chosen in, shown back to the marketer).
 *
 * @param fanoutCursor   the last contact id queued: the fan-out resumes after it
 * @param recipientTotal the recipients counted when sending started (null before)
 * @param queuedCount    how many messages the fan-out has queued
 */
public record Campaign(long id, long emailId, String name, CampaignStatus status, List<Long> listIds,
        Instant scheduledAt, String timeZone, UUID bulkId, long fanoutCursor, Integer recipientTotal, int queuedCount,
        Instant createdAt, Instant startedAt, Instant finishedAt) {

    /**
     * The guard of every transition: an illegal one is refused with {@code campaign_transition_refused}
     * (409), naming the current state, so the API and the page can say why.
     */
    void requireCanMoveTo(CampaignStatus target) {
        if (!status.canMoveTo(target)) {
            throw DomainProblem.conflict("campaign_transition_refused", "a " + status.name().toLowerCase()
                    + " campaign cannot become " + target.name().toLowerCase(), status.name().toLowerCase(),
                    target.name().toLowerCase()).with("status", status.name()).with("target", target.name());
        }
    }
}
