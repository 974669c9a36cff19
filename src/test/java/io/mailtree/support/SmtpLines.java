package io.mailtree.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;

/** A raw SMTP conversation for tests that must see the exact replies (codes, enhanced codes, texts). */
public final class SmtpLines {

    private SmtpLines() {
    }

    /** Sends one SMTP command (or a message ending with its dot line) and answers its whole reply. */
    public static String command(Writer out, BufferedReader in, String line) throws IOException {
        out.write(line + "\r\n");
        out.flush();
        return reply(in);
    }

    /** One reply, the lines of a multi-line one joined with a newline; what came before a closed connection. */
    public static String reply(BufferedReader in) throws IOException {
        StringBuilder all = new StringBuilder();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                break;
            }
            all.append(all.isEmpty() ? "" : "\n").append(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return all.toString();
    }
}
