package io.mailtree.campaigns.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.campaigns.CampaignReport;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportChartTests {

    private static final List<CampaignReport.Hour> HOURS = List.of(
            new CampaignReport.Hour(Instant.parse("2026-10-24T22:00:00Z"), 5, 3, 1, 2, 0, 0, 0),
            new CampaignReport.Hour(Instant.parse("2026-10-24T23:00:00Z"), 4, 1, 0, 0, 1, 0, 0));

    @Test
    void hoursAreLabelledOnTheReadersClock() {
        ReportChart paris = ReportChart.engagement(HOURS, ZoneId.of("Europe/Paris"));
        assertThat(paris.bars()).extracting(ReportChart.Bar::label).containsExactly("10-25 00:00", "10-25 01:00");
        ReportChart utc = ReportChart.engagement(HOURS, ZoneId.of("UTC"));
        assertThat(utc.bars()).extracting(ReportChart.Bar::label).containsExactly("10-24 22:00", "10-24 23:00");
    }

    @Test
    void aHalfHourZoneShowsItsMinutes() {
        ReportChart kolkata = ReportChart.delivery(HOURS, ZoneId.of("Asia/Kolkata"));
        assertThat(kolkata.labels()).extracting(ReportChart.Label::text).first().isEqualTo("10-25 03:30");
        assertThat(kolkata.bars()).extracting(ReportChart.Bar::total).containsExactly(5L, 4L);
    }
}
