package io.mailtree.campaigns;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a campaign stands (ADR 0024). SCHEDULED waits for its instant; SENDING fans out and delivers;
 * PAUSED stops the fan-out and holds what is queued; SENT and CANCELLED are final.
 */
public enum CampaignStatus {
    SCHEDULED, SENDING, PAUSED, SENT, CANCELLED;

    /** The states {@code this} may move to. */
    Set<CampaignStatus> next() {
        return switch (this) {
            case SCHEDULED -> EnumSet.of(SENDING, CANCELLED);
            case SENDING -> EnumSet.of(PAUSED, SENT, CANCELLED);
            case PAUSED -> EnumSet.of(SENDING, CANCELLED);
            case SENT, CANCELLED -> EnumSet.noneOf(CampaignStatus.class);
        };
    }

    boolean canMoveTo(CampaignStatus target) {
        return next().contains(target);
    }

    public boolean isFinal() {
        return this == SENT || this == CANCELLED;
    }
}
