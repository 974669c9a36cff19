package io.mailtree.delivery.web;

import io.mailtree.delivery.MessageStatistics;
import io.mailtree.shared.outcomes.OutcomeType;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The geometry of the statistics chart, computed here so the page only draws rectangles: one bar
 * per hour (or day), its outcomes stacked, a y axis rounded to 1, 2 or 5 times a power of ten, and
 * at most eight time labels. Times are UTC, as everywhere on the pages.
 */
record StatisticsChart(int width, int height, int left, int bottom, List<Bar> bars, List<Tick> ticks,
        List<Label> labels, long max, boolean empty) {

    /** The outcomes the chart stacks, bottom to top. */
    static final List<String> SERIES = java.util.stream.Stream.of(OutcomeType.DELIVERED, OutcomeType.DEFERRED,
            OutcomeType.BOUNCED, OutcomeType.COMPLAINED).map(OutcomeType::name).toList();

    static final int WIDTH = 760;
    static final int HEIGHT = 240;
    static final int LEFT = 56;
    static final int TOP = 10;
    static final int BOTTOM = 26;

    record Segment(String type, long count, double y, double height) {
    }

    record Bar(Instant start, String label, double x, double width, long total, List<Segment> segments) {
    }

    record Tick(double y, long value) {
    }

    record Label(double x, String text) {
    }

    static StatisticsChart of(List<MessageStatistics.Hour> hours, boolean daily) {
        List<Instant> starts = new ArrayList<>();
        Map<Instant, Map<String, Long>> buckets = new LinkedHashMap<>();
        for (MessageStatistics.Hour hour : hours) {
            Instant start = daily ? hour.hour().truncatedTo(ChronoUnit.DAYS) : hour.hour();
            Map<String, Long> bucket = buckets.computeIfAbsent(start, s -> {
                starts.add(s);
                return new LinkedHashMap<>();
            });
            SERIES.forEach(type -> bucket.merge(type, hour.counts().getOrDefault(type, 0L), Long::sum));
        }
        long highest = buckets.values().stream().mapToLong(b -> b.values().stream().mapToLong(Long::longValue).sum())
                .max().orElse(0);
        long max = niceCeiling(Math.max(highest, 1));
        double plotWidth = WIDTH - LEFT - 8;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        double slot = starts.isEmpty() ? plotWidth : plotWidth / starts.size();
        DateTimeFormatter format = DateTimeFormatter.ofPattern(daily ? "MM-dd" : "MM-dd HH:00").withZone(ZoneOffset.UTC);
        List<Bar> bars = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            Instant start = starts.get(i);
            double x = LEFT + i * slot + slot * 0.1;
            double base = TOP + plotHeight;
            List<Segment> segments = new ArrayList<>();
            long total = 0;
            for (String type : SERIES) {
                long count = buckets.get(start).get(type);
                total += count;
                if (count > 0) {
                    double height = count * plotHeight / max;
                    base -= height;
                    segments.add(new Segment(type, count, round(base), round(height)));
                }
            }
            bars.add(new Bar(start, format.format(start), round(x), round(Math.max(1, slot * 0.8)), total, segments));
        }
        List<Tick> ticks = new ArrayList<>();
        for (int i = 0; i <= 4; i++) {
            long value = max * i / 4;
            ticks.add(new Tick(round(TOP + plotHeight - value * plotHeight / max), value));
        }
        List<Label> labels = new ArrayList<>();
        int every = Math.max(1, (int) Math.ceil(starts.size() / 8.0));
        for (int i = 0; i < starts.size(); i += every) {
            labels.add(new Label(round(LEFT + i * slot + slot / 2), format.format(starts.get(i))));
        }
        return new StatisticsChart(WIDTH, HEIGHT, LEFT, HEIGHT - BOTTOM, bars, ticks, labels, max, highest == 0);
    }

    /** The smallest 1, 2 or 5 times a power of ten at or above the value (4 → 5, 130 → 200). */
    static long niceCeiling(long value) {
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

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
