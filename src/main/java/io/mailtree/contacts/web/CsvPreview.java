package io.mailtree.contacts.web;

import io.mailtree.contacts.ContactProperty;
import io.mailtree.contacts.internal.CsvFiles;
import io.mailtree.contacts.internal.CsvReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The first lines of an uploaded CSV, read the way the import will read them (BOM skipped,
 * delimiter from the header line, strict decoding), and the column roles the mapping step offers.
 */
record CsvPreview(List<String> headers, List<List<String>> rows) {

    static final int ROWS = 5;

    /**
     * Reads the header and up to {@link #ROWS} rows.
     *
     * @return null when the file holds no record at all
     * @throws java.nio.charset.CharacterCodingException when the start of the file does not decode
     */
    static CsvPreview read(Path file, Charset charset) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            CsvReader csv = CsvFiles.open(in, charset);
            CsvReader.Record header = csv.next();
            if (header == null || header.tooLong()) {
                return null;
            }
            List<String> headers = header.fields().stream().map(String::strip).toList();
            List<List<String>> rows = new ArrayList<>();
            for (CsvReader.Record record = csv.next(); record != null && rows.size() < ROWS; record = csv.next()) {
                rows.add(record.tooLong() ? List.of() : record.fields());
            }
            return new CsvPreview(headers, rows);
        }
    }

    /** The sample values of one column. */
    List<String> samples(int column) {
        return rows.stream().map(r -> column < r.size() ? r.get(column) : "").toList();
    }

    /** A role the mapping offers: the value sent, the message key of its label and the label's argument. */
    record Option(String value, String labelKey, String labelArg) {
    }

    /** One column of the mapping step. */
    record Column(int index, String header, List<String> samples, List<Option> options, String selected) {
    }

    /**
     * The mapping step's columns: each may be the e-mail, the name, an existing property, a new
     * property named after its header (when the header makes a valid key) or ignored. The choice is
     * preselected from the header, as the import would read it; only the first e-mail-like and the
     * first name-like columns are preselected as such.
     */
    List<Column> columns(Map<String, ContactProperty> defined, List<String> chosen) {
        List<Column> columns = new ArrayList<>();
        boolean emailTaken = false;
        boolean nameTaken = false;
        int newProperties = 0;
        for (int i = 0; i < headers.size(); i++) {
            String header = headers.get(i);
            String key = CsvFiles.propertyKey(header);
            List<Option> options = new ArrayList<>();
            options.add(new Option("email", "imports.role.email", null));
            options.add(new Option("name", "imports.role.name", null));
            for (ContactProperty property : defined.values()) {
                options.add(new Option("property:" + property.key(), "imports.role.property",
                        property.label().equals(property.key()) ? property.key()
                                : property.label() + " (" + property.key() + ")"));
            }
            boolean newKey = key != null && !defined.containsKey(key);
            if (newKey) {
                options.add(new Option("property:" + key, "imports.role.newProperty", key));
            }
            options.add(new Option("ignore", "imports.role.ignore", null));
            String selected;
            if (chosen != null && i < chosen.size()) {
                selected = chosen.get(i);
            } else {
                String role = CsvFiles.guessRole(header);
                if (!emailTaken && "email".equals(role)) {
                    selected = "email";
                    emailTaken = true;
                } else if (!nameTaken && "name".equals(role)) {
                    selected = "name";
                    nameTaken = true;
                } else if (key != null && defined.containsKey(key)) {
                    selected = "property:" + key;
                } else if (newKey && defined.size() + newProperties < 100) {
                    selected = "property:" + key;
                    newProperties++;
                } else {
                    selected = "ignore";
                }
            }
            columns.add(new Column(i, header, samples(i), options, selected));
        }
        return columns;
    }

}
