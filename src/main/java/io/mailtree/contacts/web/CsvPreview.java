package io.mailtree.contacts.web;

import io.mailtree.contacts.ContactProperty;
import io.mailtree.contacts.internal.CsvReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The first lines of an uploaded CSV, read the way the import will read them (BOM skipped,
 * delimiter from the header line, strict decoding), and the column roles the mapping step offers.
 */
record CsvPreview(List<String> headers, List<List<String>> rows) {

    static final int ROWS = 5;
    private static final int MAX_RECORD_CHARS = 64 * 1024;
    private static final Pattern KEY = Pattern.compile("^[a-z][a-z0-9_]{0,39}$");
    private static final Set<String> RESERVED = Set.of("email", "name", "status", "id");
    private static final List<String> EMAIL_KEYS = List.of("email", "e_mail", "email_address", "e_mail_address",
            "mail", "address", "courriel", "adresse_email", "adresse_e_mail");
    private static final List<String> EMAIL_RAW = List.of("メールアドレス", "メール", "adresse e-mail", "adresse email",
            "adresse mail");
    private static final List<String> NAME_KEYS = List.of("name", "full_name", "nom", "nom_complet");
    private static final List<String> NAME_RAW = List.of("名前", "氏名");

    /**
     * Reads the header and up to {@link #ROWS} rows.
     *
     * @return null when the file holds no record at all
     * @throws java.nio.charset.CharacterCodingException when the start of the file does not decode
     */
    static CsvPreview read(Path file, Charset charset) throws IOException {
        try (InputStream in = skipBom(Files.newInputStream(file));
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, charset.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)),
                        1 << 16)) {
            reader.mark(8192);
            char delimiter = delimiter(reader);
            reader.reset();
            CsvReader csv = new CsvReader(reader, MAX_RECORD_CHARS, delimiter);
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
            String key = normalisedKey(header);
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
                String raw = header.toLowerCase(Locale.ROOT);
                String loose = loose(header);
                if (!emailTaken && (EMAIL_KEYS.contains(loose) || EMAIL_RAW.contains(raw))) {
                    selected = "email";
                    emailTaken = true;
                } else if (!nameTaken && (NAME_KEYS.contains(loose) || NAME_RAW.contains(raw))) {
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

    /** A header as a property key: "First name" gives first_name; null when it gives no valid key. */
    static String normalisedKey(String header) {
        String key = loose(header).replaceAll("_+", "_").replaceAll("^_|_$", "");
        if (key.length() > 40) {
            key = key.substring(0, 40).replaceAll("_$", "");
        }
        return KEY.matcher(key).matches() && !RESERVED.contains(key) ? key : null;
    }

    private static String loose(String header) {
        return header.strip().toLowerCase(Locale.ROOT).replaceAll("[\\s\\-.]+", "_").replaceAll("[^a-z0-9_]", "");
    }

    /** Spreadsheets often save semicolon- or tab-separated files; the header line tells which. */
    private static char delimiter(BufferedReader reader) throws IOException {
        char[] buffer = new char[4096];
        int n = reader.read(buffer);
        int commas = 0;
        int semicolons = 0;
        int tabs = 0;
        for (int i = 0; i < Math.max(n, 0) && buffer[i] != '\n'; i++) {
            switch (buffer[i]) {
                case ',' -> commas++;
                case ';' -> semicolons++;
                case '\t' -> tabs++;
                default -> { }
            }
        }
        return semicolons > commas && semicolons >= tabs ? ';' : tabs > commas ? '\t' : ',';
    }

    private static InputStream skipBom(InputStream in) throws IOException {
        PushbackInputStream pushback = new PushbackInputStream(in, 3);
        byte[] bom = new byte[3];
        int n = pushback.readNBytes(bom, 0, 3);
        if (!(n == 3 && (bom[0] & 0xFF) == 0xEF && (bom[1] & 0xFF) == 0xBB && (bom[2] & 0xFF) == 0xBF) && n > 0) {
            pushback.unread(bom, 0, n);
        }
        return pushback;
    }
}
