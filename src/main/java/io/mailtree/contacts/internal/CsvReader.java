package io.mailtree.contacts.internal;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A streaming RFC 4180 reader (quotes, doubled quotes, line breaks inside quotes, CRLF or LF) with
 * bounded memory: a record longer than {@code maxRecordChars} is skipped to its end and reported
 * as too long instead of being buffered.
 */
public final class CsvReader {

    /** One record: its first line number, its fields, or {@code tooLong} when it was skipped. */
    public record Record(int line, List<String> fields, boolean tooLong) {
    }

    private final Reader in;
    private final char[] buffer = new char[1 << 16];
    private int position;
    private int limit;
    private final int maxRecordChars;
    private final char delimiter;
    private int line = 1;
    private int pushedBack = -2;

    public CsvReader(Reader in, int maxRecordChars, char delimiter) {
        this.in = in;
        this.maxRecordChars = maxRecordChars;
        this.delimiter = delimiter;
    }

    /** The next record, or null at the end of the input. Blank lines are skipped. */
    public Record next() throws IOException {
        while (true) {
            int c = read();
            if (c == -1) {
                return null;
            }
            if (c == '\r' || c == '\n') {
                if (c == '\r') {
                    int after = read();
                    if (after != '\n') {
                        unread(after);
                    }
                }
                line++;
                continue;
            }
            unread(c);
            return record();
        }
    }

    private Record record() throws IOException {
        int start = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int size = 0;
        boolean quoted = false;
        boolean tooLong = false;
        while (true) {
            int c = read();
            if (c == -1) {
                fields.add(field.toString());
                return new Record(start, tooLong ? List.of() : fields, tooLong);
            }
            if (quoted) {
                if (c == '"') {
                    int after = read();
                    if (after == '"') {
                        append(field, '"', tooLong);
                    } else {
                        quoted = false;
                        unread(after);
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    append(field, (char) c, tooLong);
                }
            } else if (c == '"' && field.isEmpty()) {
                quoted = true;
            } else if (c == delimiter) {
                if (!tooLong) {
                    fields.add(field.toString());
                }
                field.setLength(0);
            } else if (c == '\r' || c == '\n') {
                if (c == '\r') {
                    int after = read();
                    if (after != '\n') {
                        unread(after);
                    }
                }
                line++;
                fields.add(field.toString());
                return new Record(start, tooLong ? List.of() : fields, tooLong);
            } else {
                append(field, (char) c, tooLong);
            }
            if (!tooLong && ++size > maxRecordChars) {
                tooLong = true;
                fields.clear();
                field.setLength(0);
            }
        }
    }

    private static void append(StringBuilder field, char c, boolean skipping) {
        if (!skipping) {
            field.append(c);
        }
    }

    private int read() throws IOException {
        if (pushedBack != -2) {
            int c = pushedBack;
            pushedBack = -2;
            return c;
        }
        if (position == limit) {
            limit = in.read(buffer, 0, buffer.length);
            position = 0;
            if (limit <= 0) {
                limit = 0;
                return -1;
            }
        }
        return buffer[position++];
    }

    private void unread(int c) {
        pushedBack = c;
    }
}
