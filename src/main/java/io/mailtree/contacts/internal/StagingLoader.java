package io.mailtree.contacts.internal;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What differs between databases in an import: streaming the valid rows into
 * {@code contact_import_row} while the file is read, and merging them into {@code contact}.
 * PostgreSQL streams with COPY (the database works while the reader reads); other databases insert
 * in batches.
 */
public interface StagingLoader {

    /** Opens a stream of staged rows for one import. */
    RowSink open(UUID importId) throws Exception;

    /**
     * Where the database can, a stream of rows straight into {@code contact} on the caller's
     * transaction, for an account that has no contacts yet; empty where it cannot.
     */
    default boolean supportsDirect() {
        return false;
    }

    default java.util.Optional<RowSink> openDirect(UUID accountId, OffsetDateTime now) throws Exception {
        return java.util.Optional.empty();
    }

    /**
     * Creates the new contacts and updates the changed ones from the staged rows (the last row of an
     * address wins); answers how many rows were inserted or updated.
     *
     * @param mayHaveDuplicates false when the reader proved every address is staged once, which
     *                          spares a sort of all rows
     */
    int upsert(JdbcClient jdbc, UUID importId, UUID accountId, OffsetDateTime now, boolean mayHaveDuplicates);

    /** Staged rows on their way in; {@link #finish()} makes them visible, {@link #close()} alone drops them. */
    interface RowSink extends AutoCloseable {

        void row(int line, String email, String key, String name, String properties) throws IOException;

        long finish() throws Exception;

        @Override
        void close();
    }
}
