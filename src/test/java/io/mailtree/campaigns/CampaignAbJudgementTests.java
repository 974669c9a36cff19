package io.mailtree.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The A/B judgement's rule (ADR 0031) and the assignment's stability, without a database. */
class CampaignAbJudgementTests {

    private static CampaignAbTests.Figures f(int index, long sent, long count) {
        return new CampaignAbTests.Figures(index, sent, count);
    }

    @Test
    @DisplayName("the highest rate wins, not the highest count; a tie goes to the first variant; a variant that sent nothing has rate 0")
    void highestRateWinsAndATieGoesToTheFirst() {
        assertThat(CampaignAbTests.winner(List.of(f(0, 100, 10), f(1, 10, 5)))).isEqualTo(new CampaignAbTests.Winner(1, false));
        assertThat(CampaignAbTests.winner(List.of(f(0, 2, 1), f(1, 4, 2)))).isEqualTo(new CampaignAbTests.Winner(0, true));
        assertThat(CampaignAbTests.winner(List.of(f(0, 3, 0), f(1, 3, 0)))).isEqualTo(new CampaignAbTests.Winner(0, true));
        assertThat(CampaignAbTests.winner(List.of(f(0, 0, 0), f(1, 3, 1)))).isEqualTo(new CampaignAbTests.Winner(1, false));
        assertThat(CampaignAbTests.winner(List.of(f(0, 5, 1), f(1, 5, 3), f(2, 5, 3)))).isEqualTo(new CampaignAbTests.Winner(1, true));
        assertThat(CampaignAbTests.winner(List.of(f(0, 5, 1), f(1, 5, 3), f(2, 5, 4)))).isEqualTo(new CampaignAbTests.Winner(2, false));
    }

    @Test
    @DisplayName("assignment depends only on (campaign, contact): asked again (a resume after a crash) it answers the same; the share is near its percent")
    void assignmentIsStableAndNearItsShare() {
        int inTest = 0;
        int[] perVariant = new int[3];
        for (long contact = 1; contact <= 10_000; contact++) {
            boolean in = CampaignAbTests.inTestShare(42, contact, 20);
            assertThat(CampaignAbTests.inTestShare(42, contact, 20)).isEqualTo(in);
            if (in) {
                inTest++;
                perVariant[CampaignAbTests.variantOf(42, contact, 3)]++;
            }
        }
        assertThat(inTest).isBetween(1_800, 2_200);
        for (int count : perVariant) {
            assertThat(count).isBetween(inTest / 3 - 150, inTest / 3 + 150);
        }
    }
}
