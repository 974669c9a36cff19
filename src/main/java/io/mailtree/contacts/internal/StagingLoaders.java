package io.mailtree.contacts.internal;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceUtils;

/** Picks the staging loader for the database Mailtree runs on. */
@Configuration(proxyBeanMethods = false)
class StagingLoaders {

    @Bean
    StagingLoader stagingLoader(DataSource dataSource) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            if (connection.isWrapperFor(PGConnection.class)) {
                return new PostgresCopy(dataSource);
            }
        }
        return new JdbcBatches(dataSource);
    }

    /** COPY … FROM STDIN: the fastest way into PostgreSQL, streamed from the file. */
    static final class PostgresCopy implements StagingLoader {

        private final DataSource dataSource;

        PostgresCopy(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        @Override
        public long load(UUID importId, Path rows) throws Exception {
            Connection connection = DataSourceUtils.getConnection(dataSource);
            try (BufferedReader reader = Files.newBufferedReader(rows, StandardCharsets.UTF_8)) {
                return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(
                        "copy contact_import_row (import_id, line, email, email_key, name, properties) from stdin "
                                + "with (format csv)", reader, 1 << 16);
            } finally {
                DataSourceUtils.releaseConnection(connection, dataSource);
            }
        }

        @Override
        public String mergedProperties(String current, String incoming) {
            return "(" + current + "::jsonb || " + incoming + "::jsonb)::text";
        }

        @Override
        public String propertiesChanged(String current, String incoming) {
            return "(" + current + "::jsonb || " + incoming + "::jsonb) <> " + current + "::jsonb";
        }
    }

    /** Batched inserts, for H2. */
    static final class JdbcBatches implements StagingLoader {

        private final DataSource dataSource;

        JdbcBatches(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        @Override
        public long load(UUID importId, Path rows) throws Exception {
            Connection connection = DataSourceUtils.getConnection(dataSource);
            long count = 0;
            try (BufferedReader reader = Files.newBufferedReader(rows, StandardCharsets.UTF_8);
                    PreparedStatement insert = connection.prepareStatement("""
                            insert into contact_import_row (import_id, line, email, email_key, name, properties)
                            values (?, ?, ?, ?, ?, ?)""")) {
                CsvReader csv = new CsvReader(reader, Integer.MAX_VALUE, ',');
                for (CsvReader.Record record = csv.next(); record != null; record = csv.next()) {
                    var f = record.fields();
                    insert.setObject(1, importId);
                    insert.setInt(2, Integer.parseInt(f.get(1)));
                    insert.setString(3, f.get(2));
                    insert.setString(4, f.get(3));
                    insert.setString(5, f.get(4).isEmpty() ? null : f.get(4));
                    insert.setString(6, f.get(5));
                    insert.addBatch();
                    if (++count % 1000 == 0) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            } finally {
                DataSourceUtils.releaseConnection(connection, dataSource);
            }
            return count;
        }

        @Override
        public String mergedProperties(String current, String incoming) {
            // H2 cannot merge JSON objects: an import row that carries properties replaces them.
            return "case when " + incoming + " = '{}' then " + current + " else " + incoming + " end";
        }

        @Override
        public String propertiesChanged(String current, String incoming) {
            return "(" + incoming + " <> '{}' and " + incoming + " <> " + current + ")";
        }
    }
}
