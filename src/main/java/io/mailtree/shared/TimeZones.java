package io.mailtree.shared;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * The reader's calendar: IANA zones as the API accepts them and the local days pages show and
 * filter by. A local day is the span from its midnight in the zone to the next midnight, so it has
 * 23 or 25 hours on the days the clocks change (Europe/Paris, last Sunday of October: 25).
 */
public final class TimeZones {

    /** UTC as a region, so its name prints "UTC" (an offset would print "Z"); the default zone. */
    public static final ZoneId UTC = ZoneId.of("UTC");

    private TimeZones() {
    }

    /**
     * The zone named by {@code text} (such as {@code Europe/Paris}), or UTC when it is blank.
     *
     * @throws DomainProblem {@code invalid_timezone} (400) when it names no zone
     */
    public static ZoneId parse(String text, String field) {
        if (text == null || text.isBlank()) {
            return UTC;
        }
        String name = text.strip();
        try {
            if (name.length() > 80) {
                throw new DateTimeException("too long");
            }
            return ZoneId.of(name);
        } catch (DateTimeException notAZone) {
            String shown = name.length() > 40 ? name.substring(0, 40) : name;
            throw DomainProblem.invalid("invalid_timezone", "not an IANA time zone such as Europe/Paris: " + shown,
                    shown).with("field", field);
        }
    }

    /** The first instant of {@code day} in {@code zone}. */
    public static Instant startOf(LocalDate day, ZoneId zone) {
        return day.atStartOfDay(zone).toInstant();
    }

    /** The first instant after {@code day} in {@code zone}: the exclusive end of the local day. */
    public static Instant endOf(LocalDate day, ZoneId zone) {
        return day.plusDays(1).atStartOfDay(zone).toInstant();
    }
}
