package io.mailtree.contacts.internal;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
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
        public RowSink open(UUID importId) throws Exception {
            Connection connection = dataSource.getConnection();
            try {
                connection.setAutoCommit(true);
                CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(
                        "copy contact_import_row (import_id, line, email, email_key, name, properties) from stdin "
                                + "with (format csv)");
                return new CopySink(connection, copy, importId.toString(), true, "", () -> close(connection));
            } catch (Exception failure) {
                connection.close();
                throw failure;
            }
        }

        /**
         * COPY straight into {@code contact} on the caller's transaction: for an account without
         * contacts there is nothing to merge with, so staging would only copy the rows twice.
         */
        @Override
        public boolean supportsDirect() {
            return true;
        }

        @Override
        public java.util.Optional<RowSink> openDirect(UUID accountId, OffsetDateTime now) throws Exception {
            Connection connection = DataSourceUtils.getConnection(dataSource);
            CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "copy contact (account_id, email, email_key, name, status, properties, created_at, updated_at) "
                            + "from stdin with (format csv)");
            String timestamp = now.toString();
            return java.util.Optional.of(new CopySink(connection, copy, accountId.toString(), false,
                    "," + timestamp + "," + timestamp, () -> DataSourceUtils.releaseConnection(connection, dataSource)));
        }

        private static void close(Connection connection) {
            try {
                connection.close();
            } catch (java.sql.SQLException ignored) {
                // the pool discards a broken connection
            }
        }

        @Override
        public int upsert(JdbcClient jdbc, UUID importId, UUID accountId, OffsetDateTime now, boolean mayHaveDuplicates) {
            String source = mayHaveDuplicates
                    ? "select distinct on (r.email_key) r.email, r.email_key, r.name, r.properties from contact_import_row r "
                            + "where r.import_id = ? order by r.email_key, r.line desc"
                    : "select r.email, r.email_key, r.name, r.properties from contact_import_row r where r.import_id = ?";
            // Existing contacts first: properties merge as JSON objects, so a column the file lacks keeps
            // its value. Then the new ones with a plain insert, which is much cheaper than ON CONFLICT's
            // speculative insertion; the account row lock held by the caller keeps others out meanwhile.
            int updated = jdbc.sql("""
                    update contact c
                    set name = coalesce(s.name, c.name),
                        properties = (c.properties::jsonb || s.properties::jsonb)::text,
                        updated_at = ?
                    from (%s) s
                    where c.account_id = ? and c.email_key = s.email_key
                      and ((s.name is not null and c.name is distinct from s.name)
                           or (c.properties::jsonb || s.properties::jsonb) <> c.properties::jsonb)""".formatted(source))
                    .params(now, importId, accountId)
                    .update();
            int inserted = jdbc.sql("""
                    insert into contact (account_id, email, email_key, name, status, properties, created_at, updated_at)
                    select ?, s.email, s.email_key, s.name, 'SUBSCRIBED', s.properties, ?, ? from (%s) s
                    where not exists (select 1 from contact c where c.account_id = ? and c.email_key = s.email_key)"""
                    .formatted(source))
                    .params(accountId, now, now, importId, accountId)
                    .update();
            return updated + inserted;
        }
    }

    /** Rows encoded as CSV and written to a running COPY in 64 KiB chunks. */
    private static final class CopySink implements StagingLoader.RowSink {

        private final Connection connection;
        private final CopyIn copy;
        private final String lead;
        private final String tail;
        private final boolean withLine;
        private final Runnable release;
        private final StringBuilder buffer = new StringBuilder(1 << 17);
        private boolean finished;

        /**
         * @param lead     what each row starts with (the import id, or the account id)
         * @param withLine whether the row carries its line number (staging) or not (contacts)
         * @param tail     what each row ends with after the properties
         */
        CopySink(Connection connection, CopyIn copy, String lead, boolean withLine, String tail, Runnable release) {
            this.connection = connection;
            this.copy = copy;
            this.lead = lead;
            this.withLine = withLine;
            this.tail = tail;
            this.release = release;
        }

        @Override
        public void row(int line, String email, String key, String name, String properties) throws IOException {
            buffer.append(lead).append(',');
            if (withLine) {
                buffer.append(line).append(',');
            }
            quote(email);
            buffer.append(',');
            quote(key);
            buffer.append(',');
            if (name != null) {
                quote(name);
            }
            buffer.append(',');
            if (!withLine) {
                buffer.append("SUBSCRIBED,");
            }
            quote(properties);
            buffer.append(tail).append('\n');
            if (buffer.length() >= 1 << 16) {
                flush();
            }
        }

        private void quote(String value) {
            buffer.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"') {
                    buffer.append('"');
                }
                buffer.append(c);
            }
            buffer.append('"');
        }

        private void flush() throws IOException {
            byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
            buffer.setLength(0);
            try {
                copy.writeToCopy(bytes, 0, bytes.length);
            } catch (java.sql.SQLException failure) {
                throw new IOException(failure);
            }
        }

        @Override
        public long finish() throws Exception {
            flush();
            finished = true;
            return copy.endCopy();
        }

        @Override
        public void close() {
            try {
                if (!finished && copy.isActive()) {
                    copy.cancelCopy();
                }
            } catch (java.sql.SQLException ignored) {
                // the connection is closed below either way
            }
            release.run();
        }
    }

    /** Batched inserts, for H2. */
    static final class JdbcBatches implements StagingLoader {

        private final DataSource dataSource;

        JdbcBatches(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        @Override
        public RowSink open(UUID importId) throws Exception {
            Connection connection = dataSource.getConnection();
            connection.setAutoCommit(false);
            PreparedStatement insert = connection.prepareStatement("""
                    insert into contact_import_row (import_id, line, email, email_key, name, properties)
                    values (?, ?, ?, ?, ?, ?)""");
            return new RowSink() {
                private long count;

                @Override
                public void row(int line, String email, String key, String name, String properties) throws IOException {
                    try {
                        insert.setObject(1, importId);
                        insert.setInt(2, line);
                        insert.setString(3, email);
                        insert.setString(4, key);
                        insert.setString(5, name);
                        insert.setString(6, properties);
                        insert.addBatch();
                        if (++count % 1000 == 0) {
                            insert.executeBatch();
                        }
                    } catch (java.sql.SQLException failure) {
                        throw new IOException(failure);
                    }
                }

                @Override
                public long finish() throws Exception {
                    insert.executeBatch();
                    connection.commit();
                    return count;
                }

                @Override
                public void close() {
                    try {
                        connection.rollback();
                        insert.close();
                        connection.setAutoCommit(true);
                        connection.close();
                    } catch (java.sql.SQLException ignored) {
                        // the pool discards a broken connection
                    }
                }
            };
        }

        @Override
        public int upsert(JdbcClient jdbc, UUID importId, UUID accountId, OffsetDateTime now, boolean mayHaveDuplicates) {
            // H2 cannot merge JSON objects: an import row that carries properties replaces them.
            return jdbc.sql("""
                    merge into contact c
                    using (select email, email_key, name, properties from (
                              select r.email, r.email_key, r.name, r.properties,
                                     row_number() over (partition by r.email_key order by r.line desc) as latest
                              from contact_import_row r where r.import_id = ?) d
                           where d.latest = 1) s
                    on (c.account_id = ? and c.email_key = s.email_key)
                    when matched and ((s.name is not null and (c.name is null or c.name <> s.name))
                                      or (s.properties <> '{}' and s.properties <> c.properties)) then
                        update set name = coalesce(s.name, c.name),
                                   properties = case when s.properties = '{}' then c.properties else s.properties end,
                                   updated_at = ?
                    when not matched then
                        insert (account_id, email, email_key, name, status, properties, created_at, updated_at)
                        values (?, s.email, s.email_key, s.name, 'SUBSCRIBED', s.properties, ?, ?)""")
                    .params(importId, accountId, now, accountId, now, now)
                    .update();
        }
    }
}
