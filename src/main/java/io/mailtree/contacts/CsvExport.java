package io.mailtree.contacts;

import io.mailtree.shared.AccountId;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * CSV export of a list or a search, streamed page by page. Cells that a spreadsheet would run as a
 * formula (starting with =, +, -, @, their full-width forms, tab or carriage return, also after leading
 * spaces, which spreadsheets skip) are prefixed with an apostrophe.
 */
@Service
public class CsvExport {

    private static final int PAGE = 5_000;

    private final JdbcClient jdbc;
    private final ContactProperties properties;

    CsvExport(JdbcClient jdbc, ContactProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    public void write(AccountId account, Contacts.Query query, Writer out) throws IOException {
        List<ContactProperty> columns = properties.of(account);
        out.write("email,name,status");
        for (ContactProperty property : columns) {
            out.write(',');
            out.write(cell(property.key()));
        }
        out.write("\r\n");
        long after = 0;
        while (true) {
            StringBuilder sql = new StringBuilder("select * from contact c where c.account_id = ? and c.id > ?");
            List<Object> params = new ArrayList<>(List.of(account.value(), after));
            Contacts.appendFilters(query, sql, params);
            sql.append(" order by c.id limit ").append(PAGE);
            List<Contact> page = jdbc.sql(sql.toString()).params(params).query(Contacts.MAPPER).list();
            for (Contact contact : page) {
                out.write(cell(contact.email()));
                out.write(',');
                out.write(cell(contact.name()));
                out.write(',');
                out.write(contact.status().name());
                Map<String, Object> values = contact.properties();
                for (ContactProperty property : columns) {
                    out.write(',');
                    Object value = values.get(property.key());
                    out.write(cell(value == null ? null : value.toString()));
                }
                out.write("\r\n");
            }
            if (page.size() < PAGE) {
                break;
            }
            after = page.get(page.size() - 1).id();
        }
        out.flush();
    }

    /**
     * Characters that start a formula: the ASCII ones and their full-width forms, which spreadsheets
     * with East Asian input (Excel, LibreOffice, Sheets) read as the same operators.
     */
    private static final String FORMULA_STARTS = "=+-@\uFF1D\uFF0B\uFF0D\uFF20";

    /** Neutralises spreadsheet formulas (CSV injection). */
    static String safe(String value) {
        if (value == null || value.isEmpty()) {
            return value == null ? "" : value;
        }
        char first = value.charAt(0);
        if (first == '\t' || first == '\r' || first == '\n') {
            return "'" + value;
        }
        // Spreadsheets skip leading blanks (also no-break and ideographic spaces) before reading a formula.
        int at = 0;
        while (at < value.length() && (Character.isWhitespace(value.charAt(at)) || Character.isSpaceChar(value.charAt(at)))) {
            at++;
        }
        return at < value.length() && FORMULA_STARTS.indexOf(value.charAt(at)) >= 0 ? "'" + value : value;
    }

    static String cell(String value) {
        String safe = safe(value);
        if (safe.isEmpty()) {
            return "";
        }
        return "\"" + safe.replace("\"", "\"\"") + "\"";
    }
}
