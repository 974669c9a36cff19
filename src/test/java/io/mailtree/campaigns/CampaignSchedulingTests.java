package io.mailtree.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.shared.DomainProblem;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A campaign's scheduled instant from a local time in a zone, across daylight-saving changes. */
class CampaignSchedulingTests {

    @Test
    void localTimeInParisGivesTheOffsetOfThatDayOnEachSideOfTheSpringChange() {
        // Europe/Paris moves from +01:00 to +02:00 at 02:00 on 28 March 2027.
        assertThat(Campaigns.instantOf("2027-03-27T09:00", "Europe/Paris")).isEqualTo(Instant.parse("2027-03-27T08:00:00Z"));
        assertThat(Campaigns.instantOf("2027-03-28T09:00", "Europe/Paris")).isEqualTo(Instant.parse("2027-03-28T07:00:00Z"));
    }

    @Test
    void aTimeInTheSpringGapMovesForwardByTheGap() {
        assertThat(Campaigns.instantOf("2027-03-28T02:30", "Europe/Paris")).isEqualTo(Instant.parse("2027-03-28T01:30:00Z"))
                .isEqualTo(Campaigns.instantOf("2027-03-28T03:30", "Europe/Paris"));
    }

    @Test
    void aTimeInTheAutumnOverlapTakesTheEarlierOffset() {
        // New York repeats 01:00-02:00 on 7 November 2027 (-04:00, then -05:00).
        assertThat(Campaigns.instantOf("2027-11-07T01:30", "America/New_York")).isEqualTo(Instant.parse("2027-11-07T05:30:00Z"));
        assertThat(Campaigns.instantOf("2027-11-07T09:00", "America/New_York")).isEqualTo(Instant.parse("2027-11-07T14:00:00Z"));
    }

    @Test
    void aZoneWithoutDaylightSavingAndTheUtcDefault() {
        assertThat(Campaigns.instantOf("2027-03-28T09:00", "Asia/Tokyo")).isEqualTo(Instant.parse("2027-03-28T00:00:00Z"));
        assertThat(Campaigns.instantOf("2027-03-28T09:00", " ")).isEqualTo(Instant.parse("2027-03-28T09:00:00Z"));
    }

    @Test
    void refusesAnUnknownZoneAndAMalformedTimeWithStableCodes() {
        assertThatThrownBy(() -> Campaigns.instantOf("2027-03-28T09:00", "Mars/Olympus"))
                .isInstanceOf(DomainProblem.class).extracting(p -> ((DomainProblem) p).code()).isEqualTo("invalid_time_zone");
        assertThatThrownBy(() -> Campaigns.instantOf("28/03/2027 9h", "Europe/Paris"))
                .isInstanceOf(DomainProblem.class).extracting(p -> ((DomainProblem) p).code()).isEqualTo("invalid_send_at");
    }

    @Test
    void onlyTheDrawnTransitionsAreAllowed() {
        assertThat(CampaignStatus.SCHEDULED.canMoveTo(CampaignStatus.PAUSED)).isFalse();
        assertThat(CampaignStatus.SENDING.canMoveTo(CampaignStatus.PAUSED)).isTrue();
        assertThat(CampaignStatus.PAUSED.canMoveTo(CampaignStatus.SENDING)).isTrue();
        assertThat(CampaignStatus.SENT.next()).isEmpty();
        assertThat(CampaignStatus.CANCELLED.next()).isEmpty();
    }
}
