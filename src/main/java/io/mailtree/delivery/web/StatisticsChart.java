package io.mailtree.delivery.web;

import static io.mailtree.shared.web.ChartScale.niceCeiling;
import static io.mailtree.shared.web.ChartScale.tenth;

import io.mailtree.delivery.MessageStatistics;
import io.mailtree.shared.outcomes.OutcomeType;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The geometry of the statistics chart, computed here so the page only draws rectangles: one bar
 * per hour (or day), its outcomes stacked, a y axis rounded to 1, 2 or 5 times a power of ten, and
 * at most eight time labels. Hours and days are the reader's (its browser's zone), as every time on
 * the pages is.
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

    /** A bar; {@code day} is its calendar day (ISO) in the reader's zone when bars are days, null otherwise. */
    record Bar(Instant start, String day, String label, double x, double width, long total, List<Segment> segments) {
    }

    record Tick(double y, long value) {
    }

    record Label(double x, String text) {
    }

    /** One bar per hour, labelled in the reader's zone. */
    static StatisticsChart hourly(List<MessageStatistics.Hour> hours, ZoneId zone) {
        DateTimeFormatter format = DateTimeFormatter.ofPattern("MM-dd HH:00").withZone(zone);
        List<Instant> starts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        Map<Instant, Map<String, Long>> buckets = new LinkedHashMap<>();
        for (MessageStatistics.Hour hour : hours) {
            starts.add(hour.hour());
            labels.add(format.format(hour.hour()));
            buckets.put(hour.hour(), hour.counts());
        }
        return of(starts, labels, null, buckets);
    }

    /** One bar per calendar day of the reader's zone ({@link MessageStatistics#daily}). */
    static StatisticsChart daily(List<MessageStatistics.Day> days) {
        DateTimeFormatter format = DateTimeFormatter.ofPattern("MM-dd");
        List<Instant> starts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        Map<Instant, Map<String, Long>> buckets = new LinkedHashMap<>();
        for (MessageStatistics.Day day : days) {
            starts.add(day.from());
            labels.add(format.format(day.date()));
            buckets.put(day.from(), day.counts());
        }
        return of(starts, labels, days.stream().map(d -> d.date().toString()).toList(), buckets);
    }

    private static StatisticsChart of(List<Instant> starts, List<String> names, List<String> dayNames,
            Map<Instant, Map<String, Long>> counts) {
        Map<Instant, Map<String, Long>> buckets = new LinkedHashMap<>();
        for (Instant start : starts) {
            Map<String, Long> bucket = new LinkedHashMap<>();
            SERIES.forEach(type -> bucket.put(type, counts.get(start).getOrDefault(type, 0L)));
            buckets.put(start, bucket);
        }
        long highest = buckets.values().stream().mapToLong(b -> b.values().stream().mapToLong(Long::longValue).sum())
                .max().orElse(0);
        long max = niceCeiling(Math.max(highest, 1));
        double plotWidth = WIDTH - LEFT - 8;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        double slot = starts.isEmpty() ? plotWidth : plotWidth / starts.size();
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
                    segments.add(new Segment(type, count, tenth(base), tenth(height)));
                }
            }
            bars.add(new Bar(start, dayNames == null ? null : dayNames.get(i), names.get(i), tenth(x), tenth(Math.max(1, slot * 0.8)), total, segments));
        }
        List<Tick> ticks = new ArrayList<>();
        for (int i = 0; i <= 4; i++) {
            long value = max * i / 4;
            ticks.add(new Tick(tenth(TOP + plotHeight - value * plotHeight / max), value));
        }
        List<Label> labels = new ArrayList<>();
        int every = Math.max(1, (int) Math.ceil(starts.size() / 8.0));
        for (int i = 0; i < starts.size(); i += every) {
            labels.add(new Label(tenth(LEFT + i * slot + slot / 2), names.get(i)));
        }
        return new StatisticsChart(WIDTH, HEIGHT, LEFT, HEIGHT - BOTTOM, bars, ticks, labels, max, highest == 0);
    }

}
