package io.mailtree.campaigns.web;

import static io.mailtree.shared.web.ChartScale.niceCeiling;
import static io.mailtree.shared.web.ChartScale.tenth;

import io.mailtree.campaigns.CampaignReport;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The geometry of a report chart, drawn like the dashboard's and the statistics page's (stacked bars,
 * one per hour, a y axis rounded to 1, 2 or 5 times a power of ten, at most eight time labels, in the reader's time zone),
 * computed here so the page only draws rectangles. One chart shows what recipients did (opens,
 * machine opens, clicks, unsubscribes), another what became of the mail (delivered, bounced,
 * complained).
 */
record ReportChart(String id, int width, int height, int left, List<Bar> bars, List<Tick> ticks, List<Label> labels,
        List<String> series, long max, boolean empty) {

    static final int WIDTH = 760;
    static final int HEIGHT = 220;
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

    /** What recipients did, per hour. */
    static ReportChart engagement(List<CampaignReport.Hour> hours, java.time.ZoneId zone) {
        Map<String, ToLongFunction<CampaignReport.Hour>> series = new LinkedHashMap<>();
        series.put("OPENED", CampaignReport.Hour::opens);
        series.put("MACHINE_OPENED", CampaignReport.Hour::machineOpens);
        series.put("CLICKED", CampaignReport.Hour::clicks);
        series.put("UNSUBSCRIBED", CampaignReport.Hour::unsubscribes);
        return of("engagement", hours, series, zone);
    }

    /** What became of the mail, per hour. */
    static ReportChart delivery(List<CampaignReport.Hour> hours, java.time.ZoneId zone) {
        Map<String, ToLongFunction<CampaignReport.Hour>> series = new LinkedHashMap<>();
        series.put("DELIVERED", CampaignReport.Hour::delivered);
        series.put("BOUNCED", CampaignReport.Hour::bounces);
        series.put("COMPLAINED", CampaignReport.Hour::complaints);
        return of("delivery", hours, series, zone);
    }

    static ReportChart of(String id, List<CampaignReport.Hour> hours, Map<String, ToLongFunction<CampaignReport.Hour>> series,
            java.time.ZoneId zone) {
        long highest = 0;
        for (CampaignReport.Hour hour : hours) {
            long total = 0;
            for (ToLongFunction<CampaignReport.Hour> value : series.values()) {
                total += value.applyAsLong(hour);
            }
            highest = Math.max(highest, total);
        }
        long max = niceCeiling(Math.max(highest, 1));
        double plotWidth = WIDTH - LEFT - 8;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        int slots = Math.max(hours.size(), 1);
        double slot = plotWidth / slots;
        DateTimeFormatter format = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(zone);
        List<Bar> bars = new ArrayList<>();
        for (int i = 0; i < hours.size(); i++) {
            CampaignReport.Hour hour = hours.get(i);
            double base = TOP + plotHeight;
            List<Segment> segments = new ArrayList<>();
            long total = 0;
            for (Map.Entry<String, ToLongFunction<CampaignReport.Hour>> s : series.entrySet()) {
                long count = s.getValue().applyAsLong(hour);
                total += count;
                if (count > 0) {
                    double height = count * plotHeight / max;
                    base -= height;
                    segments.add(new Segment(s.getKey(), count, tenth(base), tenth(height)));
                }
            }
            // Centred in its slot, under its label, and never wider than 60: a campaign's first hours stay bars.
            double width = Math.max(1, Math.min(slot * 0.8, 60));
            bars.add(new Bar(hour.start(), format.format(hour.start()), tenth(LEFT + i * slot + (slot - width) / 2),
                    tenth(width), total, segments));
        }
        List<Tick> ticks = new ArrayList<>();
        for (int i = 0; i <= 4; i++) {
            long value = max * i / 4;
            ticks.add(new Tick(tenth(TOP + plotHeight - value * plotHeight / max), value));
        }
        List<Label> labels = new ArrayList<>();
        int every = Math.max(1, (int) Math.ceil(hours.size() / 8.0));
        for (int i = 0; i < hours.size(); i += every) {
            labels.add(new Label(tenth(LEFT + i * slot + slot / 2), format.format(hours.get(i).start())));
        }
        return new ReportChart(id, WIDTH, HEIGHT, LEFT, bars, ticks, labels, List.copyOf(series.keySet()), max,
                highest == 0);
    }

}
