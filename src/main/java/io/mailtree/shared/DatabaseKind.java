package io.mailtree.shared;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * Which database Mailtree runs on, read once at start: PostgreSQL (production, several nodes) or
 * the embedded H2 default (one node). The few statements that differ between them ask here.
 */
@Component
public class DatabaseKind {

    private final boolean postgres;

    DatabaseKind(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            this.postgres = connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
        }
    }

    /** PostgreSQL: SKIP LOCKED, atomic upserts, planner settings; otherwise H2. */
    public boolean isPostgres() {
        return postgres;
    }
}
