package io.mailtree.keys;

/**
 * What became of a key's mail over some hours (D-18), and the rates judged against the thresholds.
 * {@code sent} counts recipients accepted; the hard-bounce and block rates are over {@code sent}, the
 * complaint rate over {@code delivered} (what reached a mailbox can be reported), as mailbox
 * providers count them.
 */
public record ReputationTotals(long sent, long delivered, long hardBounces, long softBounces, long complaints,
        long blocks, long unsubscribes) {

    public static final ReputationTotals NONE = new ReputationTotals(0, 0, 0, 0, 0, 0, 0);

    public ReputationTotals plus(ReputationTotals other) {
        return new ReputationTotals(sent + other.sent, delivered + other.delivered, hardBounces + other.hardBounces,
                softBounces + other.softBounces, complaints + other.complaints, blocks + other.blocks,
                unsubscribes + other.unsubscribes);
    }

    /** Hard bounces per hundred recipients sent. */
    public double hardBounceRate() {
        return percent(hardBounces, sent);
    }

    /** Soft bounces per hundred recipients sent. */
    public double softBounceRate() {
        return percent(softBounces, sent);
    }

    /** Complaints per hundred delivered (per hundred sent while nothing is delivered yet). */
    public double complaintRate() {
        return percent(complaints, delivered > 0 ? delivered : sent);
    }

    /** Policy refusals per hundred recipients sent. */
    public double blockRate() {
        return percent(blocks, sent);
    }

    /** Unsubscribes per hundred delivered. */
    public double unsubscribeRate() {
        return percent(unsubscribes, delivered);
    }

    /** The rate of a metric, and the count and base it is computed from. */
    public double rate(ReputationMetric metric) {
        return switch (metric) {
            case HARD_BOUNCE -> hardBounceRate();
            case COMPLAINT -> complaintRate();
            case BLOCK -> blockRate();
        };
    }

    long numerator(ReputationMetric metric) {
        return switch (metric) {
            case HARD_BOUNCE -> hardBounces;
            case COMPLAINT -> complaints;
            case BLOCK -> blocks;
        };
    }

    long denominator(ReputationMetric metric) {
        return metric == ReputationMetric.COMPLAINT && delivered > 0 ? delivered : sent;
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? 0 : part * 100.0 / whole;
    }
}
