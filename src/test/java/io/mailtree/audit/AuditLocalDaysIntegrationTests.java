package io.mailtree.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The audit log's period filter reads its dates as calendar days of the reader's zone (the
 * browser's, {@code mt_tz}), on real PostgreSQL: across midnight and on Sunday 25 October 2026, the
 * 25-hour day the clocks go back in Paris; the CSV export writes the times with the reader's offset.
 */
class AuditLocalDaysIntegrationTests extends MailtreeTestBase {

    private void templateAt(Master master, Instant at, String name) {
        advanceClock(Duration.between(clock().instant(), at));
        assertThat(master.api().post("/api/v1/templates", "{\"name\":\"" + name + "\",\"html\":\"<p>x</p>\"}").status())
                .isEqualTo(201);
    }

    @Test
    @DisplayName("D-32: from and to are the reader's days: Paris's 25-hour Sunday holds 00:30 CEST and 23:30 CET, not 00:30 Monday")
    void d32AuditPeriodIsTheReadersCalendarDays() {
        Master master = master("pro-5000");
        templateAt(master, Instant.parse("2026-10-24T21:30:00Z"), "saturday-late");    // 23:30 Saturday in Paris
        templateAt(master, Instant.parse("2026-10-24T22:30:00Z"), "sunday-early");     // 00:30 Sunday in Paris (CEST)
        templateAt(master, Instant.parse("2026-10-25T22:30:00Z"), "sunday-late");      // 23:30 Sunday in Paris (CET)
        templateAt(master, Instant.parse("2026-10-25T23:30:00Z"), "monday-early");     // 00:30 Monday in Paris
        advanceClock(Duration.between(clock().instant(), Instant.parse("2026-10-26T12:00:00Z")));

        WebSession paris = signInAsOwner(master).cookie("mt_tz", "Europe%2FParis");
        String sunday = paris.get("/audit?lang=en&action=template.created&from=2026-10-25&to=2026-10-25").body();
        assertThat(sunday).contains("sunday-early", "sunday-late").doesNotContain("saturday-late", "monday-early");
        assertThat(sunday).contains("From (Europe/Paris)");
        String weekend = paris.get("/audit?lang=en&action=template.created&from=2026-10-24&to=2026-10-25").body();
        assertThat(weekend).contains("saturday-late", "sunday-early", "sunday-late").doesNotContain("monday-early");

        // The same dates for a reader in UTC are other instants.
        WebSession utc = signInAsOwner(master);
        String utcSunday = utc.get("/audit?lang=en&action=template.created&from=2026-10-25&to=2026-10-25").body();
        assertThat(utcSunday).contains("sunday-late", "monday-early").doesNotContain("saturday-late", "sunday-early");

        String csv = paris.get("/audit/export.csv?lang=en&action=template.created&from=2026-10-25&to=2026-10-25").body();
        assertThat(csv).containsPattern("\"2026-10-25T00:30:\\d\\d\\+02:00\"")
                .containsPattern("\"2026-10-25T23:30:\\d\\d\\+01:00\"").doesNotContain("monday-early");
    }
}
