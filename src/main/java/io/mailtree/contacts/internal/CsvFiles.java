package io.mailtree.contacts.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How Mailtree opens and reads the header of a contacts CSV, shared by the import worker and the
 * import wizard's mapping step so both read a file the same way: a UTF-8 byte-order mark skipped,
 * strict decoding, the delimiter told by the header line, and column roles guessed from headers as
 * people write them ("E-mail", "Adresse e-mail", "メールアドレス", "First name").
 */
public final class CsvFiles {

    public static final int MAX_RECORD_CHARS = 64 * 1024;

    private static final Pattern KEY = Pattern.compile("^[a-z][a-z0-9_]{0,39}$");
    private static final Set<String> RESERVED = Set.of("email", "name", "status", "id");
    private static final List<String> EMAIL_KEYS = List.of("email", "e_mail", "email_address", "e_mail_address",
            "mail", "address", "courriel", "adresse_email", "adresse_e_mail");
    private static final List<String> EMAIL_RAW = List.of("メールアドレス", "メール", "adresse e-mail", "adresse email",
            "adresse mail");
    private static final List<String> NAME_KEYS = List.of("name", "full_name", "nom", "nom_complet");
    private static final List<String> NAME_RAW = List.of("名前", "氏名");

    private CsvFiles() {
    }

    /**
     * A CSV reader over a stream: BOM skipped, decoding strict (a malformed byte raises
     * {@link java.nio.charset.CharacterCodingException}), delimiter detected.
     *
     * @param charset the declared charset, or null for UTF-8
     */
    public static CsvReader open(InputStream in, Charset charset) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(skipBom(in),
                (charset == null ? StandardCharsets.UTF_8 : charset).newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)),
                1 << 16);
        reader.mark(8192);
        char delimiter = delimiter(reader);
        reader.reset();
        return new CsvReader(reader, MAX_RECORD_CHARS, delimiter);
    }

    /** "email", "name", or null when the header names neither. */
    public static String guessRole(String header) {
        String raw = header.strip().toLowerCase(Locale.ROOT);
        String loose = loose(header);
        if (EMAIL_KEYS.contains(loose) || EMAIL_RAW.contains(raw)) {
            return "email";
        }
        if (NAME_KEYS.contains(loose) || NAME_RAW.contains(raw)) {
            return "name";
        }
        return null;
    }

    /** A header as a property key: "First name" gives first_name; null when it gives no valid key. */
    public static String propertyKey(String header) {
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
