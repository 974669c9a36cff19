package io.mailtree.shared.web;

/**
 * The arithmetic the pages' bar charts share (the dashboard and statistics page, campaign reports):
 * an axis that ends on a round number, and coordinates rounded to a tenth so the SVG stays short.
 */
public final class ChartScale {

    private ChartScale() {
    }

    /** The smallest 1, 2 or 5 times a power of ten at or above the value (4 → 5, 130 → 200). */
    public static long niceCeiling(long value) {
        long power = 1;
        while (power * 10 <= value) {
            power *= 10;
        }
        for (long step : new long[] {1, 2, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }

    /** A coordinate rounded to a tenth of a unit. */
    public static double tenth(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
