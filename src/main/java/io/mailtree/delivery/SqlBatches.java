package io.mailtree.delivery;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Runs one statement for many rows in a single round trip. Each value is bound with
 * {@code setObject}, which both drivers accept for nulls too; Spring's own binding of a null of an
 * unknown type would ask the driver for the parameter's type, a round trip per null.
 */
final class SqlBatches {

    private SqlBatches() {
    }

    /** Runs the statement for each row; answers the rows each changed (a driver may answer -2: changed, count unknown). */
    static int[] run(JdbcTemplate jdbc, String sql, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return new int[0];
        }
        int[][] counts = jdbc.batchUpdate(sql, rows, rows.size(), (statement, row) -> {
            for (int i = 0; i < row.length; i++) {
                statement.setObject(i + 1, row[i]);
            }
        });
        return counts.length == 0 ? new int[rows.size()] : counts[0];
    }
}
