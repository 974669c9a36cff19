package io.mailtree.shared;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Which database Mailtree runs on, read once at start: PostgreSQL (production, several nodes) or
 * the embedded H2 default (one node). The few statements that differ between them ask here. On H2 it
 * also says at start whether commits write through to the file (see {@link EmbeddedDatabaseDurability}).
 */
@Component
public class DatabaseKind {

    private static final Logger log = LoggerFactory.getLogger(DatabaseKind.class);

    private final boolean postgres;

    DatabaseKind(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            String product = connection.getMetaData().getDatabaseProductName().toLowerCase();
            this.postgres = product.contains("postgres");
            if (product.contains("h2")) {
                int writeDelay = writeDelay(connection);
                if (writeDelay != 0) {
                    log.warn("the embedded database writes commits up to {} ms after they return (WRITE_DELAY={} in "
                            + "its URL): a crash of the process loses what was accepted in that time; remove "
                            + "WRITE_DELAY from the URL or set it to 0", writeDelay, writeDelay);
                }
            }
        }
    }

    /** H2's current write delay in milliseconds: 0 when every commit is written before it returns. */
    static int writeDelay(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet setting = statement.executeQuery(
                "select setting_value from information_schema.settings where setting_name = 'WRITE_DELAY'")) {
            return setting.next() ? Integer.parseInt(setting.getString(1).trim()) : 0;
        }
    }

    /** PostgreSQL: SKIP LOCKED, atomic upserts, planner settings; otherwise H2. */
    public boolean isPostgres() {
        return postgres;
    }
}
