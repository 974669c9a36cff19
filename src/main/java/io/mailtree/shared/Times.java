package io.mailtree.shared;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Conversions between {@link Instant} and SQL {@code timestamp with time zone}, which both
 * PostgreSQL's and H2's drivers exchange as {@link OffsetDateTime}.
 */
public final class Times {

    private Times() {
    }

    public static OffsetDateTime sql(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
