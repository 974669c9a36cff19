package io.mailtree.campaigns;

import java.time.Instant;
import java.util.List;

/**
 * What became of a campaign's e-mail (ADR 0027), as the report page, the API and the CSV show it:
 * the counters kept by the report's consumer of the outcome stream, the clicks of each link and the
 * hourly buckets the charts draw.
 */
public record CampaignReport(Campaign campaign, Counts counts, List<LinkClicks> links, List<Hour> hours, AbResult abTest) {

    public CampaignReport(Campaign campaign, Counts counts, List<LinkClicks> links, List<Hour> hours) {
        this(campaign, counts, links, hours, null);
    }

    /**
     * A campaign's A/B test (ADR 0031): where it stands, its rule, each variant's figures and, once
     * judged, the winner and why it won: {@code reason} is {@code highest_rate} (its unique opens or
     * clicks per test message sent were the highest) or {@code tie_first_variant} (the highest rate was
     * shared, and the first variant of those tied wins).
     *
     * @param phase    TEST (sending the test share), WAITING (until {@code judgeAt}), REST (the rest gets the winner)
     * @param rule     OPENS or CLICKS
     * @param winner   the winning variant's letter (A, B, ...), null until judged
     */
    public record AbResult(String phase, String rule, int testPercent, int waitHours, Instant judgeAt, String winner,
            String reason, Instant judgedAt, List<VariantFigures> variants) {
    }

    /**
     * One variant: its test messages' counters (the rest of the campaign, sent with the winner, is in
     * the campaign's counts only), and the figures the judgement read: {@code judgedSent} test messages
     * sent, {@code judgedCount} unique opens or clicks, {@code judgedRate} their share in percent.
     */
    public record VariantFigures(String variant, String subject, long sent, long delivered, long opensUnique,
            long opensTotal, long clicksUnique, long clicksTotal, Long judgedSent, Long judgedCount, Double judgedRate,
            boolean winner) {
    }

    /**
     * The numbers of one campaign (or a sum of campaigns). Opens are a person's; machine opens (a
     * privacy proxy's prefetch, a scanner) are counted apart. Unique counts are recipients.
     */
    public record Counts(long sent, long delivered, long opensUnique, long opensTotal, long machineOpensUnique,
            long machineOpensTotal, long clicksUnique, long clicksTotal, long unsubscribes, long hardBounces,
            long softBounces, long complaints) {

        public static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        public Counts plus(Counts o) {
            return new Counts(sent + o.sent, delivered + o.delivered, opensUnique + o.opensUnique,
                    opensTotal + o.opensTotal, machineOpensUnique + o.machineOpensUnique,
                    machineOpensTotal + o.machineOpensTotal, clicksUnique + o.clicksUnique, clicksTotal + o.clicksTotal,
                    unsubscribes + o.unsubscribes, hardBounces + o.hardBounces, softBounces + o.softBounces,
                    complaints + o.complaints);
        }

        /** Unique (human) opens of the delivered, in percent with one decimal. */
        public double openRate() {
            return percent(opensUnique, delivered);
        }

        /** Unique clicks of the delivered, in percent with one decimal. */
        public double clickRate() {
            return percent(clicksUnique, delivered);
        }

        private static double percent(long part, long whole) {
            return whole == 0 ? 0 : Math.round(part * 1000.0 / whole) / 10.0;
        }
    }

    /** One tracked link: its URL and its clicks. */
    public record LinkClicks(int index, String url, long clicksUnique, long clicksTotal) {
    }

    /** One hour of the campaign's life. */
    public record Hour(Instant start, long delivered, long opens, long machineOpens, long clicks, long unsubscribes,
            long bounces, long complaints) {
    }
}
