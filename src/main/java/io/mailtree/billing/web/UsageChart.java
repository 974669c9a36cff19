package io.mailtree.billing.web;

import io.mailtree.billing.Usage;
import java.util.ArrayList;
import java.util.List;

/**
 * The billing page's chart: one horizontal bar per account, the messages accepted this period, with
 * the part the relay already took drawn darker and the cap (if any) as a mark, so a master compares
 * its sub-accounts' shares at a glance. Drawn as SVG on the server.
 */
record UsageChart(int width, int height, int left, List<Bar> bars, long max) {

    record Bar(String name, int y, int acceptedWidth, int sentWidth, Integer capX, long accepted, long sent, Long cap) {
    }

    static final int ROW = 26;
    static final int LEFT = 170;
    static final int WIDTH = 640;

    static UsageChart of(List<Usage.Line> lines) {
        long max = 1;
        for (Usage.Line line : lines) {
            max = Math.max(max, Math.max(line.accepted(), line.cap() == null ? 0 : line.cap()));
        }
        int span = WIDTH - LEFT - 70;
        List<Bar> bars = new ArrayList<>();
        int y = 8;
        for (Usage.Line line : lines) {
            int accepted = (int) Math.round(span * (double) line.accepted() / max);
            int sent = (int) Math.round(span * (double) Math.min(line.sent(), line.accepted()) / max);
            Integer cap = line.cap() == null ? null : LEFT + (int) Math.round(span * (double) line.cap() / max);
            String name = line.name().length() > 24 ? line.name().substring(0, 23) + "…" : line.name();
            bars.add(new Bar(name, y, accepted, sent, cap, line.accepted(), line.sent(), line.cap()));
            y += ROW;
        }
        return new UsageChart(WIDTH, y + 8, LEFT, bars, max);
    }
}
