package io.mailtree.keys.web;

import io.mailtree.keys.KeyReputations;
import io.mailtree.keys.ReputationMetric;
import io.mailtree.keys.ReputationThresholds;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The geometry of one rate chart of a key's reputation page, computed here so the page only draws:
 * the rate of one metric per day as a line of points, the thresholds of that metric as horizontal
 * lines (dashed for warn, solid for pause), a y axis in percent whose top leaves room above the
 * highest threshold, and at most eight day labels. Days without mail have no point.
 */
record ReputationChart(ReputationMetric metric, int width, int height, int left, int bottom, String points,
        List<Point> dots, List<Line> thresholds, List<Tick> ticks, List<Label> labels, boolean empty) {

    static final int WIDTH = 760;
    static final int HEIGHT = 220;
    static final int LEFT = 56;
    static final int TOP = 10;
    static final int BOTTOM = 26;

    record Point(double x, double y, String day, double rate, long count, long outOf) {
    }

    record Line(double y, double ratePercent, String action, String code) {
    }

    record Tick(double y, String value) {
    }

    record Label(double x, String text) {
    }

    static ReputationChart of(ReputationMetric metric, List<KeyReputations.Day> days,
            List<ReputationThresholds.Threshold> thresholds, java.time.ZoneId zone) {
        List<ReputationThresholds.Threshold> own = thresholds.stream().filter(t -> t.metric() == metric).toList();
        double highest = own.stream().mapToDouble(t -> t.ratePercent().doubleValue()).max().orElse(0);
        double data = days.stream().filter(d -> d.totals().sent() > 0 || d.totals().delivered() > 0)
                .mapToDouble(d -> d.totals().rate(metric)).max().orElse(0);
        double max = niceCeiling(Math.max(Math.max(highest * 1.25, data), 0.01));
        double plotWidth = WIDTH - LEFT - 8;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        double slot = days.isEmpty() ? plotWidth : plotWidth / days.size();
        DateTimeFormatter format = DateTimeFormatter.ofPattern("MM-dd").withZone(zone);
        List<Point> dots = new ArrayList<>();
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < days.size(); i++) {
            KeyReputations.Day day = days.get(i);
            if (day.totals().sent() == 0 && day.totals().delivered() == 0) {
                continue;
            }
            double rate = day.totals().rate(metric);
            double x = round(LEFT + i * slot + slot / 2);
            double y = round(TOP + plotHeight - Math.min(rate, max) * plotHeight / max);
            dots.add(new Point(x, y, format.format(day.day()), Math.round(rate * 1000) / 1000.0,
                    count(metric, day), outOf(metric, day)));
            points.append(points.isEmpty() ? "" : " ").append(x).append(',').append(y);
        }
        List<Line> lines = own.stream().map(t -> new Line(
                round(TOP + plotHeight - t.ratePercent().doubleValue() * plotHeight / max),
                t.ratePercent().doubleValue(), t.action().name(), t.code())).toList();
        List<Tick> ticks = new ArrayList<>();
        for (int i = 0; i <= 4; i++) {
            double value = max * i / 4;
            ticks.add(new Tick(round(TOP + plotHeight - value * plotHeight / max), format(value) + " %"));
        }
        List<Label> labels = new ArrayList<>();
        int every = Math.max(1, (int) Math.ceil(days.size() / 8.0));
        for (int i = 0; i < days.size(); i += every) {
            labels.add(new Label(round(LEFT + i * slot + slot / 2), format.format(days.get(i).day())));
        }
        return new ReputationChart(metric, WIDTH, HEIGHT, LEFT, HEIGHT - BOTTOM, points.toString(), dots, lines, ticks,
                labels, dots.isEmpty());
    }

    private static long count(ReputationMetric metric, KeyReputations.Day day) {
        return switch (metric) {
            case HARD_BOUNCE -> day.totals().hardBounces();
            case COMPLAINT -> day.totals().complaints();
            case BLOCK -> day.totals().blocks();
        };
    }

    private static long outOf(ReputationMetric metric, KeyReputations.Day day) {
        return metric == ReputationMetric.COMPLAINT && day.totals().delivered() > 0 ? day.totals().delivered()
                : day.totals().sent();
    }

    /** The smallest 1, 2 or 5 times a power of ten at or above the value (0.35 → 0.5, 9 → 10). */
    static double niceCeiling(double value) {
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * power >= value - 1e-12) {
                return step * power;
            }
        }
        return 10 * power;
    }

    private static String format(double value) {
        return java.math.BigDecimal.valueOf(value).setScale(4, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
