package io.mailtree.campaigns;

import java.time.Instant;
import java.util.List;

/**
 * What became of a campaign's e-mail (ADR 0027), as the report page, the API and the CSV show it:
 * the counters kept by the report's consumer of the outcome stream, the clicks of each link and the
 * hourly buckets the charts draw.
 */
public record CampaignReport(Campaign campaign, Counts counts, List<LinkClicks> links, List<Hour> hours) {

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
