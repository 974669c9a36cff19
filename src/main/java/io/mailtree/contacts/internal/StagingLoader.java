package io.mailtree.contacts.internal;

import java.nio.file.Path;
import java.util.UUID;

/**
 * Loads the valid rows of an import (a CSV file of import_id, line, email, email_key, name,
 * properties) into {@code contact_import_row}. PostgreSQL streams it with COPY; other databases
 * insert in batches.
 */
public interface StagingLoader {

    long load(UUID importId, Path rows) throws Exception;

    /** The SQL expression for a contact's properties after an import row updates it. */
    String mergedProperties(String current, String incoming);

    /** The SQL condition that an import row changes a contact's properties. */
    String propertiesChanged(String current, String incoming);
}
